import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ensureBuilt, MAIN } from '../../support/built.js';
import { freePort } from '../../support/free-port.js';

export { ensureBuilt, MAIN };

export interface ChildApp {
  process: ChildProcess;
  url: string;
  webhookUrl: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the real app (`node lib/app/main.js`) with `env`, on a free port,
 * and resolves once it listens.
 */
export async function startChildApp(env: Record<string, string>, options: { cwd: string; timeoutMs?: number }): Promise<ChildApp> {
  // Probot reads PORT=0 as 3000: pick a free port, so nothing else on the machine is in the way.
  const child = spawn(process.execPath, [MAIN], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(await freePort()), LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not start:\n${output}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      // Keep the log bounded: a long run under load prints a lot.
      output = (output + chunk.toString()).slice(-200_000);
      const m = /Listening on (http:\/\/\S+?:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        const url = m[1]!.replace('localhost', '127.0.0.1');
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        const keep = (c: Buffer) => (output = (output + c.toString()).slice(-200_000));
        child.stdout!.on('data', keep);
        child.stderr!.on('data', keep);
        resolve({ process: child, url, webhookUrl: `${url}/api/github/webhooks`, output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/**
 * The lifecycle of a test file that runs the real app as child processes:
 * builds lib/ first (under the reliability suite), and afterwards kills any
 * child still running, closes the simulator and removes the folders made
 * with `appFolder`.
 */
export function useChildApps(options: { enabled: boolean }) {
  const state = { sim: null as { close(): Promise<void> } | null, children: [] as ChildApp[], dirs: [] as string[] };
  beforeAll(() => {
    if (options.enabled) ensureBuilt();
  }, 120_000);
  afterAll(async () => {
    for (const c of state.children) c.process.kill('SIGKILL');
    await state.sim?.close();
    for (const d of state.dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    state,
    /** A fresh folder with a GitHub App key, and the environment to start the app there on a SQLite ledger (`data/ledger.db`). */
    appFolder(prefix: string, env: Record<string, string>): { dir: string; ledgerPath: string; env: Record<string, string> } {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      state.dirs.push(dir);
      writeFileSync(join(dir, 'app.pem'), generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey);
      const ledgerPath = join(dir, 'data', 'ledger.db');
      return { dir, ledgerPath, env: { PRIVATE_KEY_PATH: join(dir, 'app.pem'), LEDGER_PATH: ledgerPath, ...env } };
    },
  };
}
