/** What a CLI command may touch besides its arguments; injected so tests can capture it. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** One `changeproof <name>` command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Returns the process exit code. Bad input is a one-line message on stderr and a non-zero code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A bad-input error whose message is shown to the user as is (no stack trace). */
export class UsageError extends Error {
  override name = 'UsageError';
}
