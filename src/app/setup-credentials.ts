import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { getPrivateKey } from '@probot/get-private-key';

/**
 * Applies `.env` of `cwd` to `env`, as Probot's `run()` does (its values win
 * over the environment's), so that the choice between the setup flow and
 * the app is made on the values Probot will use.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): void {
  let text: string;
  try {
    text = readFileSync(join(cwd, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot read ${join(cwd, '.env')}: ${(error as Error).message}`, { cause: error });
  }
  Object.assign(env, parseEnv(text));
}

/**
 * `'none'` when neither `APP_ID` nor a private key is set (the setup flow
 * registers the app), `'complete'` when the app can run. Anything in between
 * is an error saying what to set: Probot would serve its setup flow instead,
 * and without `WEBHOOK_SECRET` it would accept deliveries signed with a
 * well-known development secret. The private key is found as Probot finds it
 * (`PRIVATE_KEY`, `PRIVATE_KEY_PATH`, or the one `*.pem` file in `cwd`).
 *
 * @example credentialsState({ APP_ID: '12', PRIVATE_KEY_PATH: 'app.pem', WEBHOOK_SECRET: 's' }) // 'complete'
 */
export function credentialsState(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): 'none' | 'complete' {
  let key: string | null;
  try {
    key = getPrivateKey({ env, cwd });
  } catch (error) {
    throw new Error((error as Error).message.replace(/^\[@probot\/get-private-key\]\s*/, '').replace(/"env\.(\w+)"/g, '$1'), { cause: error });
  }
  const appId = env['APP_ID']?.trim();
  if (!appId && !key) {
    if (env['NODE_ENV'] === 'production') {
      throw new Error('APP_ID and the private key (PRIVATE_KEY or PRIVATE_KEY_PATH) are not set, and NODE_ENV=production does not serve the setup page: register the app first (docs/installing.md), then set APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, and WEBHOOK_SECRET.');
    }
    return 'none';
  }
  const keySource = env['PRIVATE_KEY'] ? 'PRIVATE_KEY' : env['PRIVATE_KEY_PATH'] ? 'PRIVATE_KEY_PATH' : `a .pem file in ${cwd}`;
  if (!appId) throw new Error(`a private key is set (${keySource}) but APP_ID is not: set APP_ID to the GitHub App's id (the "App ID" of its settings page).`);
  if (!/^\d+$/.test(appId)) throw new Error(`APP_ID must be the GitHub App's numeric id (the "App ID" of its settings page), not "${appId}".`);
  if (!key) throw new Error('APP_ID is set but no private key: set PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH (the .pem file GitHub gave you).');
  if (!env['WEBHOOK_SECRET']) {
    throw new Error('WEBHOOK_SECRET is not set: set it to the GitHub App\'s webhook secret (its settings → Webhook secret), so that only deliveries signed by GitHub are accepted.');
  }
  return 'complete';
}
