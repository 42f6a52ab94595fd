// A child process of a benchmark (simulator, server under test) answering
// numbered IPC questions; shared by bench/webhooks.ts and bench/webhooks-storm.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A child process answering numbered IPC questions. */
export class Child {
  private next = 1;
  private readonly waiting = new Map<number, (reply: any) => void>();
  readonly ready: Promise<any>;

  constructor(readonly name: string, readonly process: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      process.on('message', (message: any) => {
        if (message?.type === 'ready') return resolve(message);
        const resolveReply = this.waiting.get(message?.id);
        this.waiting.delete(message?.id);
        resolveReply?.(message);
      });
      process.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
    });
    process.on('exit', (code) => {
      if (this.waiting.size) {
        console.error(`${name} exited (${code}) with questions unanswered`);
        globalThis.process.exit(1);
      }
    });
  }

  /** Forks a TypeScript file beside this one (this process's tsx loader is inherited), with extra Node flags (e.g. `--cpu-prof`). */
  static start(name: string, role: string, file: string, env: Record<string, string> = {}, execArgv: string[] = []): Child {
    return new Child(name, fork(fileURLToPath(new URL(file, import.meta.url)), [role], {
      env: { ...process.env, ...env }, serialization: 'advanced', execArgv: [...process.execArgv, ...execArgv],
    }));
  }

  ask<T = any>(message: object): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve);
      this.process.send({ ...message, id });
    });
  }
}
