import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A support script run as its own Node process, with its stdout as lines: a
 * `.ts` script through tsx, a `.mjs` one (which runs the compiled lib/) under
 * plain Node.
 */
export interface Child {
  process: ChildProcess;
  lines: string[];
  /** Resolves when a line equal to `text` has been printed. */
  waitFor(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function startChild(script: string, args: string[], options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): Child {
  const restore = options.uid === undefined ? () => {} : letOthersTraverse(root);
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), path, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
    env: { ...process.env, ...options.env },
  });
  const lines: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters.filter((w) => w.text === line)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      restore();
      resolve({ code, signal });
    }));
  return {
    process: child,
    lines,
    waitFor: (text) => lines.includes(text)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
        waiters.push({ text, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before "${text}": ${errors}`)));
      }),
    exited,
    stderr: () => errors,
  };
}

/**
 * A child run as another user must reach the project (its code and
 * node_modules): a checkout inside a private folder (mode 0700, as `mktemp -d`
 * makes) would hide it. Grants "others" search (x) on each ancestor that lacks
 * it, and returns a function that takes it back.
 */
function letOthersTraverse(path: string): () => void {
  const changed: Array<{ dir: string; mode: number }> = [];
  for (let dir = path; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      changed.push({ dir, mode });
    }
    if (dirname(dir) === dir) break;
  }
  return () => {
    for (const { dir, mode } of changed.reverse()) chmodSync(dir, mode);
  };
}
