#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs the locked
// dependencies when they are missing or older than the lockfile, and (with
// --build) compiles src/ to lib/ when any source is newer than the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`changeproof: "${cmd} ${args.join(' ')}" failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error('changeproof: installing locked dependencies (npm ci)…');
  run('npm', ['ci']);
}

if (process.argv.includes('--build')) {
  const marker = join(root, 'lib', 'app', 'main.js');
  if (!existsSync(marker) || statSync(marker).mtimeMs < newestMtime(join(root, 'src'))) {
    console.error('changeproof: compiling src/ to lib/…');
    run('npm', ['run', 'build', '--silent']);
  }
}
