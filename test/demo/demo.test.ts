import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openReadOnly } from '../../src/ledger/sqlite-connection.js';
import { iterateStored, toLedgerEntry } from '../../src/ledger/sqlite-reader.js';
import { replayVerdicts } from '../support/replay.js';

/**
 * `npm run demo` end to end, as a newcomer runs it: the script in its own
 * process (the real app, the GitHub simulator, the export), writing to a
 * temporary folder. A shorter month (CHANGEPROOF_DEMO_PRS) keeps it quick;
 * the month's incidents are on fixed days whatever the count.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/demo.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function cli(argv: string[]): Promise<number> {
  const sink = new Writable({ write(_chunk, _encoding, done) { done(); } });
  return main(argv, { stdout: sink, stderr: sink, env: {} });
}

let work: string;
let out: string;
let mine: string;
let run: { code: number | null; stdout: string; stderr: string };
let refused: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'changeproof-demo-'));
  out = join(work, 'demo-output');
  mine = join(work, 'not-the-demos');
  mkdirSync(mine);
  writeFileSync(join(mine, 'keep.txt'), 'precious\n');
  [run, refused] = await Promise.all([
    runDemo({ CHANGEPROOF_DEMO_DIR: out, CHANGEPROOF_DEMO_PRS: '30' }),
    runDemo({ CHANGEPROOF_DEMO_DIR: mine, CHANGEPROOF_DEMO_PRS: '30' }),
  ]);
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('ends with a verified ledger and a verified export', () => {
    expect(run.stderr).not.toContain('demo failed');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}Webhooks delivered +\d[\d,]* \(pull_request \d+, /m);
    expect(run.stdout).toMatch(/^ {2}Pull requests +30 merged \(acme\/api \d+, acme\/web \d+\); 1 direct push$/m);
    expect(run.stdout).toMatch(/^ {2}Ledger verified +intact: [\d,]+ entries chained, [\d,]+ signed checkpoints/m);
    expect(run.stdout).toMatch(/^ {2}Export verified +intact: \d+ checks passed/m);
    expect(run.stdout).toMatch(/^ {2}Completeness +\d+ commits and 30 merged pull requests on GitHub checked against the ledger: 0 gaps$/m);
    expect(run.stdout).toMatch(/^Done in \d+\.\d s/m);
  });

  it('replays the month\'s incidents: bypassed checks, an emergency approved late, a direct push, rejected deployments', () => {
    expect(run.stdout).toMatch(/^ {2}Verdicts at merge +27 compliant, 2 non-compliant, 1 emergency$/m);
    expect(run.stdout).toMatch(
      /^ {2}Exceptions +4: 2 merged without passing the control \(open\); 1 emergency change \(resolved late\); 1 direct push \(open\)$/m,
    );
    expect(run.stdout).toMatch(/^ {2}Deployments +\d+ to production: \d+ approved, 2 rejected by the gate$/m);
    expect(run.stdout).toContain("no merged pull request's merge commit on the deployed history contains it (pushed directly");
    expect(run.stdout).toMatch(/^ {2}Population +\d+: 30 changes \(\d+ compliant at merge or emergencies approved in time, [1-9]\d* not\), 1 direct push, \d+ gated deployments \(\d+ approved, [1-9]\d* rejected by the gate\)/m);
    expect(run.stdout).toMatch(/^ {2}Sample +\d+ \(stratified, seed demo-2026-03\)/m);
  });

  it('writes the files it points to, and they verify on their own', async () => {
    const open = run.stdout.split('\nOpen\n')[1]!.split('\n\n')[0]!.split('\n').map((line) => line.trim().split(/\s{2,}/)[0]!);
    expect(open).toHaveLength(4);
    for (const path of open) expect(existsSync(path), path).toBe(true);
    expect(open[0]).toBe(join(out, 'export-2026-03', 'report.html'));
    expect(open[1]).toMatch(/evidence\/acme~(api|web)~pr-\d+\.html$/);
    expect(readFileSync(open[1]!, 'utf8')).toContain('<html');
    expect(await cli(['verify', '--ledger', join(out, 'ledger.db'), '--public-key', join(out, 'public-key.pem'), '--require-final-checkpoint'])).toBe(0);
    expect(await cli(['verify-export', join(out, 'export-2026-03'), '--public-key', join(out, 'public-key.pem')])).toBe(0);
  });

  it('records evidence complete enough to re-compute every verdict offline', () => {
    const db = openReadOnly(join(out, 'ledger.db'));
    try {
      const { replayed, mismatches } = replayVerdicts([...iterateStored(db)].map(toLedgerEntry));
      expect(replayed).toBeGreaterThan(30);
      expect(mismatches).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses to empty a folder it did not write', () => {
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not empty and was not written by the demo; refusing to delete it');
    expect(readFileSync(join(mine, 'keep.txt'), 'utf8')).toBe('precious\n');
  });
});
