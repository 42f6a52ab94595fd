import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseOptions } from './ledger-cli.js';

const HELP = `Usage: changeproof respond --app URL --repo owner/name --push SHA (--text TEXT | --text-file FILE) [--json]

Records management's response to a direct push's exception in the app's
ledger (an \`exception_response\` entry). The exception stays an exception;
the export shows the response beside it. A pull request's exception is
answered with a comment on it instead: \`/changeproof respond <text>\`.

Who responds is established by GitHub, from your own token: you must have the
admin or maintain role on the repository, and must not have pushed the
commits or written any of them.

Options:
  --app URL          the app's address (e.g. https://changeproof.example.com)
  --repo owner/name  the repository pushed to
  --push SHA         the full SHA the push brought the branch to (the item id
                     owner/name@SHA of the export; SHA~2 for a later push of
                     the same commit, item id owner/name@SHA~2)
  --text TEXT        the response
  --text-file FILE   or read it from FILE ("-": standard input)
  --json             print the recorded entry as JSON
  -h, --help         show this help

Environment: CHANGEPROOF_SIGNING_TOKEN (the app's signing token, which may
record) and GITHUB_TOKEN (yours: GitHub says who you are).

Exit status: 0 recorded; 1 refused or failed (the reason is printed; nothing
is recorded); 2 bad usage.`;

/** `changeproof respond`: a response to a direct push's exception, through the app's API. */
export const respondCommand: Command = {
  name: 'respond',
  summary: "Record management's response to a direct push's exception (through the app)",
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, {
      app: { type: 'string' }, repo: { type: 'string' }, push: { type: 'string' }, text: { type: 'string' }, 'text-file': { type: 'string' }, json: { type: 'boolean' },
    });
    if (!values.app) throw new UsageError('--app URL is required (the app records the response)');
    if (!values.repo || !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) throw new UsageError('--repo owner/name is required');
    if (!values.push || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})(?:~[1-9]\d{0,2})?$/.test(values.push)) throw new UsageError('--push SHA is required, in full (40 hex digits; SHA~2, ~3… for a later push of the same commit, as its item id says)');
    if ((values.text === undefined) === (values['text-file'] === undefined)) throw new UsageError('give the response with --text TEXT or --text-file FILE (one of them)');
    const text = values.text ?? (await readText(values['text-file']!));
    const signingToken = io.env['CHANGEPROOF_SIGNING_TOKEN'];
    const githubToken = io.env['GITHUB_TOKEN'];
    if (!signingToken) throw new UsageError('CHANGEPROOF_SIGNING_TOKEN is not set: the app records responses only for its signing token');
    if (!githubToken) throw new UsageError('GITHUB_TOKEN is not set: your own GitHub token tells the app who responds');
    let url: URL;
    try {
      url = new URL('/api/changeproof/exception-response', values.app);
    } catch {
      throw new UsageError(`--app ${values.app} is not a URL`);
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${signingToken}`, 'x-github-token': githubToken, 'content-type': 'application/json' },
        body: JSON.stringify({ repository: values.repo, subject: `push/${values.push}`, text }),
      });
    } catch (error) {
      io.stderr.write(`changeproof respond: could not reach ${url.origin}: ${(error as Error).message}\n`);
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as { error?: string; recorded?: { seq: number; hash: string }; responder?: string; role?: string };
    if (res.status !== 201 || !body.recorded) {
      if (values.json) io.stdout.write(`${JSON.stringify({ recorded: false, status: res.status, error: body.error ?? `HTTP ${res.status}` }, null, 2)}\n`);
      else io.stderr.write(`changeproof respond: ${body.error ?? `the app answered HTTP ${res.status}`}\n`);
      return 1;
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ recorded: true, ...body }, null, 2)}\n`);
    else io.stdout.write(`Recorded @${body.responder}'s response (${body.role}) to ${values.repo}@${values.push.slice(0, 7)} as ledger entry #${body.recorded.seq} (hash ${body.recorded.hash}).\n`);
    return 0;
  },
};

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    if (path !== '-') return await readFile(path, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
