import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { freshConnectionFetch } from '../support/app-harness.js';
import { deliverInstallation, killSpawnedApps, spawnApp, writeAppKey } from '../support/spawn-app.js';

// Containers cannot run here: the image's start command runs as a plain process,
// with the image's environment, its working directory laid out as the Dockerfile lays
// it out, the volume as a folder and the settings of the env file, and compose's
// health check is run against it as Docker would run it.

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);
afterAll(killSpawnedApps);

interface Instruction { op: string; args: string }

/** The instructions of each stage of a Dockerfile (continuation lines joined, comments dropped). */
function stagesOf(dockerfile: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const text = dockerfile.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n').replace(/\\\n/g, ' ');
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)!.push({ op: op!.toUpperCase(), args: args!.trim() });
  }
  return stages;
}

const dockerfile = stagesOf(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.at(-1)!;
const args = (op: string) => runtime.filter((i) => i.op === op).map((i) => i.args);
const imageEnv: Record<string, string> = Object.fromEntries(args('ENV').flatMap((a) => [...a.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> };
const service = Object.values(compose.services)[0]!;

describe('the container recipe (Dockerfile, compose.yaml)', { timeout: 45_000 }, () => {
  it('runs node itself as an unprivileged user on Node 20 or 22, with the ledger on the volume', () => {
    expect(dockerfile.map((stage) => stage[0]!.args)).toEqual(expect.arrayContaining([expect.stringMatching(/^node:(20|22)[.-]/)]));
    expect(runtime[0]!.args).toMatch(/^node:(20|22)[.-]/);
    expect(JSON.parse(args('CMD')[0]!)).toEqual(['node', 'lib/app/main.js']);
    expect(args('USER')[0]).toBe('node');
    expect(imageEnv).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    const volume = (JSON.parse(args('VOLUME')[0]!) as string[])[0]!;
    expect(imageEnv['LEDGER_PATH']!.startsWith(`${volume}/`)).toBe(true);
    // compose: the named volume on it, the env file, the health route, time for the final checkpoint.
    expect(service['volumes']).toEqual([`changeproof-data:${volume}`]);
    expect(Object.keys(compose.volumes)).toEqual(['changeproof-data']);
    expect(service['env_file']).toBe('changeproof.env');
    expect(JSON.stringify(service['healthcheck'])).toContain('/api/changeproof/health');
  });

  it('its start command serves health (compose\'s check passes) and stops cleanly on SIGTERM', async () => {
    // The layout of the image: WORKDIR with what the runtime stage copies, the volume as a folder.
    const root = mkdtempSync(join(tmpdir(), 'changeproof-image-'));
    const workdir = join(root, args('WORKDIR')[0]!);
    const volume = join(root, (JSON.parse(args('VOLUME')[0]!) as string[])[0]!);
    mkdirSync(workdir, { recursive: true });
    mkdirSync(volume, { recursive: true });
    for (const copy of args('COPY')) {
      const parts = copy.split(/\s+/).filter((p) => !p.startsWith('--'));
      const destination = parts.pop()!;
      for (const source of parts) {
        const target = destination.endsWith('/') || destination === './' ? join(workdir, source.split('/').pop()!) : join(workdir, destination);
        mkdirSync(join(target, '..'), { recursive: true });
        symlinkSync(join(ROOT, source.replace(/^\/app\//, '')), target);
      }
    }
    // The settings of changeproof.env as docs/installing.md writes it (the key base64-encoded).
    const keyPath = writeAppKey(root);
    const envFile = { APP_ID: '123', PRIVATE_KEY: Buffer.from(readFileSync(keyPath)).toString('base64'), WEBHOOK_SECRET: 'secret', GHE_HOST: '127.0.0.1:9', GHE_PROTOCOL: 'http' };
    // PORT: a free one (the container's port is mapped), chosen by spawnApp.
    const { PORT: _port, ...imageEnvWithoutPort } = imageEnv;
    const env = { ...imageEnvWithoutPort, ...envFile, LEDGER_PATH: join(root, imageEnv['LEDGER_PATH']!) };
    const [command, ...commandArgs] = JSON.parse(args('CMD')[0]!) as string[];
    const app = await spawnApp(env, { cwd: workdir, command: [command === 'node' ? process.execPath : command!, ...commandArgs] });

    const [kind, ...check] = (service['healthcheck'] as { test: string[] }).test;
    expect(kind).toBe('CMD');
    await run(check[0] === 'node' ? process.execPath : check[0]!, check.slice(1), { env: { PATH: process.env['PATH'] ?? '', PORT: String(app.port) } });
    expect(await (await freshConnectionFetch(`${app.url}/api/changeproof/health`)).json()).toMatchObject({ status: 'ok' });
    expect(await deliverInstallation(app.url, 'secret')).toBe(200);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const publicKey = publicKeyFromPem(readFileSync(join(volume, 'ledger-signing-key.pub.pem'), 'utf8'));
    expect(await verifyLedger(env.LEDGER_PATH, { publicKey, requireFinalCheckpoint: true })).toMatchObject({ ok: true });
    expect(statSync(join(volume, 'ledger-signing-key.pem')).mode & 0o777).toBe(0o600);
    // The health check fails once the app is gone.
    await expect(run(process.execPath, check.slice(1), { env: { PATH: process.env['PATH'] ?? '', PORT: String(app.port) } })).rejects.toThrow();
  });
});
