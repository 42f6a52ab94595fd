import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { describeCount, progressReporter } from '../../src/cli/progress.js';

function capture(env: NodeJS.ProcessEnv = {}, isTTY = false) {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => new Writable({ write(chunk, _e, cb) { append(String(chunk)); cb(); } });
  const stderr = Object.assign(stream((s) => (err += s)), { isTTY });
  return { io: { stdout: stream((s) => (out += s)), stderr, env }, get out() { return out; }, get err() { return err; } };
}

describe('changeproof --help', () => {
  it('lists every command without loading any of them', async () => {
    const loads = commands.map((c) => vi.spyOn(c, 'load'));
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    for (const entry of commands) expect(c.out).toContain(`  ${entry.name}`);
    for (const load of loads) expect(load).not.toHaveBeenCalled();
    loads.forEach((l) => l.mockRestore());
  });

  it('names each command by the summary its own module gives', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(entry.summary, entry.name).toBe(command.summary);
    }
  });

  it('imports no command module up front, and the export command loads its heavy modules only when it runs', () => {
    const registry = readFileSync(new URL('../../src/cli/commands.ts', import.meta.url), 'utf8');
    expect(registry).not.toMatch(/^import (?!type)/m);
    const exportCommand = readFileSync(new URL('../../src/cli/export.ts', import.meta.url), 'utf8');
    expect(exportCommand).not.toMatch(/^import \{[^}]*\} from '\.\.\/(export|ledger\/index)/m);
    const workbook = readFileSync(new URL('../../src/export/xlsx.ts', import.meta.url), 'utf8');
    expect(workbook).toMatch(/^import type ExcelJS from 'exceljs';$/m);
  });

  it.each(commands.map((c) => c.name))('%s --help prints its usage, offers --json and cites no specification', async (name) => {
    const c = capture();
    expect(await main([name, '--help'], c.io)).toBe(0);
    expect(c.out).toMatch(new RegExp(`^Usage: changeproof ${name}`));
    expect(c.out).toContain('--json');
    expect(c.out).not.toMatch(/SPEC|§/);
  });

  it('the top-level help cites no specification either', async () => {
    const c = capture();
    await main(['--help'], c.io);
    expect(c.out).not.toMatch(/SPEC|§/);
  });
});

describe('progress', () => {
  it('outside a terminal: plain lines with totals, at most one every five seconds', () => {
    let t = 0;
    const c = capture();
    const progress = progressReporter(c.io, 'changeproof export', { now: () => t });
    for (t = 0; t <= 12_000; t += 500) progress.update('write population.csv (rows)', t, 12_000);
    progress.done();
    expect(c.err.split('\n').filter(Boolean)).toEqual([
      'changeproof export: write population.csv (rows): 5,000 of 12,000 (41%)',
      'changeproof export: write population.csv (rows): 10,000 of 12,000 (83%)',
    ]);
  });

  it('work shorter than that prints nothing outside a terminal', () => {
    let t = 0;
    const c = capture();
    const progress = progressReporter(c.io, 'changeproof verify', { now: () => t });
    for (t = 0; t < 4_000; t += 100) progress.update('verified (entries)', t);
    progress.done();
    expect(c.err).toBe('');
  });

  it('on a terminal: one line rewritten in place, cleared at the end', () => {
    let t = 0;
    const c = capture({}, true);
    const progress = progressReporter(c.io, 'changeproof export', { now: () => t });
    t = 150;
    progress.update('verify and index the ledger (entries)', 8192, 20_000);
    t = 200;
    progress.update('verify and index the ledger (entries)', 9000, 20_000);
    progress.done();
    expect(c.err).toBe('\r\x1b[Kverify and index the ledger (entries): 8,192 of 20,000 (40%)…\r\x1b[K');
  });

  it('counts without a total are counts', () => {
    expect(describeCount(12_345)).toBe('12,345');
    expect(describeCount(1, 3)).toBe('1 of 3 (33%)');
  });
});

describe('changeproof respond', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function app(status: number, body: object): Promise<{ url: string; requests: { headers: Record<string, unknown>; body: unknown }[] }> {
    const requests: { headers: Record<string, unknown>; body: unknown }[] = [];
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: JSON.parse(text) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  const SHA = 'a'.repeat(40);
  const ENV = { CHANGEPROOF_SIGNING_TOKEN: 'sign', GITHUB_TOKEN: 'mine' };

  it('sends the response with the signing token and the responder\'s own token, and prints the entry', async () => {
    const { url, requests } = await app(201, { recorded: { seq: 42, hash: 'b'.repeat(64) }, responder: 'dave', role: 'maintain', exceptions: [] });
    const c = capture(ENV);
    expect(await main(['respond', '--app', url, '--repo', 'acme/api', '--push', SHA, '--text', 'Reviewed after the fact.'], c.io)).toBe(0);
    expect(requests[0]).toMatchObject({ headers: { authorization: 'Bearer sign', 'x-github-token': 'mine' }, body: { repository: 'acme/api', subject: `push/${SHA}`, text: 'Reviewed after the fact.' } });
    expect(c.out).toBe(`Recorded @dave's response (maintain) to acme/api@aaaaaaa as ledger entry #42 (hash ${'b'.repeat(64)}).\n`);
  });

  it('says why the app refused, exits 1, and with --json prints the refusal', async () => {
    const { url } = await app(403, { error: 'not recorded: @mallory caused this exception (merged or pushed it); a response must come from someone else.' });
    const c = capture(ENV);
    expect(await main(['respond', '--app', url, '--repo', 'acme/api', '--push', SHA, '--text', 'fine'], c.io)).toBe(1);
    expect(c.err).toBe('changeproof respond: not recorded: @mallory caused this exception (merged or pushed it); a response must come from someone else.\n');
    const j = capture(ENV);
    expect(await main(['respond', '--app', url, '--repo', 'acme/api', '--push', SHA, '--text', 'fine', '--json'], j.io)).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ recorded: false, status: 403 });
  });

  it.each([
    [['--repo', 'acme/api', '--push', SHA, '--text', 'x'], ENV, /--app URL is required/],
    [['--app', 'http://x', '--repo', 'acme/api', '--push', 'abc', '--text', 'x'], ENV, /--push SHA is required, in full/],
    [['--app', 'http://x', '--repo', 'acme/api', '--push', SHA], ENV, /--text TEXT or --text-file FILE/],
    [['--app', 'http://x', '--repo', 'acme/api', '--push', SHA, '--text', 'x'], { GITHUB_TOKEN: 'mine' }, /CHANGEPROOF_SIGNING_TOKEN is not set/],
    [['--app', 'http://x', '--repo', 'acme/api', '--push', SHA, '--text', 'x'], { CHANGEPROOF_SIGNING_TOKEN: 'sign' }, /GITHUB_TOKEN is not set/],
  ])('refuses bad usage in one line (exit 2): %j', async (args, env, message) => {
    const c = capture(env as NodeJS.ProcessEnv);
    expect(await main(['respond', ...args], c.io)).toBe(2);
    expect(c.err).toMatch(message);
    expect(c.err.trim().split('\n')).toHaveLength(1);
  });
});
