import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The export's output directory: new or empty, and emptied again when the export fails. */
export class OutputDir {
  private constructor(
    readonly path: string,
    private readonly created: boolean,
  ) {}

  /** Creates the directory, or takes an empty one; refuses a file or a non-empty directory. */
  static async prepare(path: string, fail: (message: string) => Error): Promise<OutputDir> {
    if (existsSync(path)) {
      if (!statSync(path).isDirectory()) throw fail(`--out ${path} is a file, not a directory`);
      if (readdirSync(path).length > 0) throw fail(`--out ${path} is not empty: choose a new directory (an export never overwrites files)`);
      return new OutputDir(path, false);
    }
    await mkdir(path, { recursive: true });
    return new OutputDir(path, true);
  }

  /** Removes what a failed export wrote: the directory was new or empty. */
  async discard(): Promise<void> {
    if (this.created) await rm(this.path, { recursive: true, force: true });
    else for (const name of readdirSync(this.path)) await rm(join(this.path, name), { recursive: true, force: true });
  }
}
