import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main.js';

/** Runs the CLI in-process with `args`, collecting what it writes; resolves with its exit code and output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, { stdout, stderr, env });
  return { code, out, err };
}
