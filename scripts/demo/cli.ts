import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** Runs a `changeproof` CLI command in this process, capturing its output. */
export async function changeproof(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _encoding, done) { append(String(chunk)); done(); } });
  const code = await main(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env });
  return { code, out, err };
}

/** Runs a command with `--json` and parses what it prints; a failure to run at all throws with its message. */
export async function changeproofJson<T>(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; result: T | null; err: string }> {
  const r = await changeproof([...argv, '--json'], env);
  let result: T | null = null;
  try {
    result = r.out.trim() ? (JSON.parse(r.out) as T) : null;
  } catch {
    result = null;
  }
  return { code: r.code, result, err: r.err.trim() };
}
