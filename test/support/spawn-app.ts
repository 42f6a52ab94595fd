import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshConnectionFetch } from './app-harness.js';
import { freePort } from './free-port.js';

/** The compiled app, what `npm start` runs (`npm test` compiles src/ to lib/ first). */
export const MAIN = new URL('../../lib/app/main.js', import.meta.url).pathname;

export interface SpawnedApp {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** Resolves once the output contains `text` (log lines may arrive after the response that caused them). */
  waitForOutput: (text: string, timeoutMs?: number) => Promise<string>;
  exited: Promise<number | null>;
}

const children: Array<{ child: ChildProcess; detached: boolean }> = [];

/**
 * SIGKILLs whatever `spawnApp` started and is still running, and every
 * process left in the group of a detached one (for `afterAll`).
 */
export function killSpawnedApps(): void {
  for (const { child, detached } of children.splice(0)) {
    try {
      if (detached) process.kill(-child.pid!, 'SIGKILL');
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Starts `command` (by default `node lib/app/main.js`) on a free port (`PORT`)
 * with only PATH and HOME of this environment plus `env`, and resolves once
 * Probot logs "Listening on". Probot reads PORT=0 as 3000, hence the free port.
 */
export async function spawnApp(env: Record<string, string>, options: { cwd: string; command?: [string, ...string[]]; detached?: boolean; timeoutMs?: number }): Promise<SpawnedApp> {
  const port = await freePort();
  const [cmd, ...args] = options.command ?? [process.execPath, MAIN];
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    detached: options.detached ?? false,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? options.cwd, PORT: String(port), LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
  };
  const child = spawn(cmd, args, spawnOptions);
  children.push({ child, detached: options.detached ?? false });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Listening on http:\/\/\S+?:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        const waitForOutput = async (text: string, timeoutMs = 5_000) => {
          for (const until = Date.now() + timeoutMs; !output.includes(text); await new Promise((r) => setTimeout(r, 20))) {
            if (Date.now() > until) throw new Error(`no "${text}" in the output:\n${output}`);
          }
          return output;
        };
        resolve({ child, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}`, output: () => output, waitForOutput, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
}

/** Writes a GitHub App private key (RSA PEM) to `dir/app.pem` and returns its path. */
export function writeAppKey(dir: string): string {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const path = join(dir, 'app.pem');
  writeFileSync(path, key.privateKey);
  return path;
}

/**
 * Sends a signed `installation.created` delivery: the app records it without
 * asking GitHub anything, so the ledger gains an entry.
 */
export async function deliverInstallation(url: string, secret: string): Promise<number> {
  const body = JSON.stringify({ action: 'created', installation: { id: 42, account: { login: 'acme' } }, repositories: [{ full_name: 'acme/api' }], sender: { login: 'alice' } });
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const res = await freshConnectionFetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'installation', 'x-github-delivery': `install-${Date.now()}`, 'x-hub-signature-256': signature },
    body,
  });
  return res.status;
}
