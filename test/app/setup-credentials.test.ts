import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { credentialsState, loadDotEnv } from '../../src/app/setup-credentials.js';
import { writeEnvFile } from '../../src/app/setup.js';
import { writeAppKey } from '../support/spawn-app.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'changeproof-credentials-'));

describe('credentialsState: the setup flow, the app, or what to set', () => {
  const dir = tempDir();
  const keyPath = writeAppKey(dir);
  const empty = tempDir();

  it.each([
    ['nothing: the setup flow', {}, empty, 'none'],
    ['APP_ID, PRIVATE_KEY_PATH and WEBHOOK_SECRET: the app', { APP_ID: '12', PRIVATE_KEY_PATH: keyPath, WEBHOOK_SECRET: 's' }, empty, 'complete'],
    ['APP_ID, PRIVATE_KEY and WEBHOOK_SECRET: the app', { APP_ID: '12', PRIVATE_KEY: readFileSync(keyPath, 'utf8'), WEBHOOK_SECRET: 's' }, empty, 'complete'],
    ['the one .pem of the folder, as Probot finds it', { APP_ID: '12', WEBHOOK_SECRET: 's' }, dir, 'complete'],
  ])('%s', (_, env, cwd, state) => {
    expect(credentialsState(env, cwd)).toBe(state);
  });

  it.each([
    ['APP_ID without a key', { APP_ID: '12', WEBHOOK_SECRET: 's' }, empty, 'APP_ID is set but no private key: set PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH'],
    ['a key without APP_ID', { PRIVATE_KEY_PATH: keyPath, WEBHOOK_SECRET: 's' }, empty, 'a private key is set (PRIVATE_KEY_PATH) but APP_ID is not'],
    ['a stray .pem without APP_ID', {}, dir, `a private key is set (a .pem file in ${dir}) but APP_ID is not`],
    ['an APP_ID that is not a number', { APP_ID: 'changeproof', PRIVATE_KEY_PATH: keyPath, WEBHOOK_SECRET: 's' }, empty, 'APP_ID must be the GitHub App\'s numeric id'],
    ['no WEBHOOK_SECRET (Probot would accept deliveries signed with "development")', { APP_ID: '12', PRIVATE_KEY_PATH: keyPath }, empty, 'WEBHOOK_SECRET is not set'],
    ['a key file that does not exist', { APP_ID: '12', PRIVATE_KEY_PATH: 'missing.pem', WEBHOOK_SECRET: 's' }, empty, 'Private key does not exists at path: "missing.pem". Please check to ensure that PRIVATE_KEY_PATH is correct.'],
    ['a PRIVATE_KEY that is no key', { APP_ID: '12', PRIVATE_KEY: 'not a key', WEBHOOK_SECRET: 's' }, empty, 'The contents of PRIVATE_KEY could not be validated'],
    ['nothing with NODE_ENV=production (no setup page in production)', { NODE_ENV: 'production' }, empty, 'register the app first (docs/installing.md)'],
  ])('%s: an error saying what to set', (_, env, cwd, message) => {
    expect(() => credentialsState(env, cwd)).toThrow(message);
  });
});

describe('.env: written by the setup flow, read before deciding', () => {
  it('writeEnvFile sets the keys, keeps the other lines, replaces multi-line values, and is 0600', () => {
    const path = join(tempDir(), '.env');
    writeFileSync(path, '# mine\nLOG_LEVEL=debug\nAPP_ID=1\nPRIVATE_KEY="-----BEGIN PRIVATE KEY-----\nold\n-----END PRIVATE KEY-----"\nGH_ORG=acme\n\n');
    chmodSync(path, 0o644);
    const pem = '-----BEGIN PRIVATE KEY-----\nnew\n-----END PRIVATE KEY-----\n';
    writeEnvFile(path, { APP_ID: '4242', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'w' });
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('# mine\nLOG_LEVEL=debug\nGH_ORG=acme\n')).toBe(true);
    expect(text).not.toContain('old');
    expect(parseEnv(text)).toEqual({ LOG_LEVEL: 'debug', GH_ORG: 'acme', APP_ID: '4242', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'w' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('loadDotEnv applies .env over the environment, as Probot does, and tolerates its absence', () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { APP_ID: 'from-env', PORT: '1' };
    loadDotEnv(env, dir);
    expect(env).toEqual({ APP_ID: 'from-env', PORT: '1' });
    writeFileSync(join(dir, '.env'), 'APP_ID=7\nWEBHOOK_SECRET="s s"\n');
    loadDotEnv(env, dir);
    expect(env).toEqual({ APP_ID: '7', PORT: '1', WEBHOOK_SECRET: 's s' });
  });
});
