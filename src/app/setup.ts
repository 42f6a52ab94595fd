import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CHECK_RUN_NAME } from '../core/constants.js';
import { buildManifest, githubApiUrl, readAppYml, registrationUrl, webhookTarget } from './setup-manifest.js';
import { addressNeededPage, failedPage, installUrl, registeredPage, registerPage } from './setup-pages.js';

export interface SetupOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** The folder whose `.env` receives the credentials (the one Changeproof starts from). */
  cwd: string;
  /** Where the running app receives webhooks locally (what a smee.io channel is forwarded to). */
  localWebhookUrl: () => string;
  fetch?: typeof fetch;
}

/** What GitHub answers when it converts a registration code (`POST /app-manifests/{code}/conversions`). */
interface Registration {
  id: number;
  name: string;
  html_url: string;
  pem: string;
  webhook_secret: string;
  client_id?: string;
  client_secret?: string;
  owner?: { login?: string } | null;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * The setup flow served while the app has no credentials, in place of
 * Probot's own (whose manifest sends webhooks to the page's `/`, on the
 * address the browser used: unreachable for GitHub and the wrong path):
 *
 * 1. `GET /` → `/probot`: the manifest of app.yml with the webhook on the
 *    address the operator gave (`webhookTarget`), posted to GitHub's
 *    registration form (under `GH_ORG` when set); without an address, what
 *    to set instead.
 * 2. `GET /probot/setup?code&state`: GitHub sends the browser back; the code
 *    is exchanged for the app's credentials, written to `.env`, and the page
 *    and the log say what to do next.
 */
export function changeproofSetup(options: SetupOptions): Handler {
  const { env, log } = options;
  const state = randomBytes(16).toString('hex');
  const envPath = join(options.cwd, '.env');
  const target = webhookTarget(env);
  const appYml = readAppYml();
  let registered: Registration | null = null;

  const handler: Handler = async (req, res) => {
    if (req.method !== 'GET') return false;
    const url = new URL(req.url ?? '/', 'http://setup.invalid');
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/probot', 'content-type': 'text/plain' }).end('Found. Redirecting to /probot');
      return true;
    }
    if (url.pathname === '/probot') {
      const base = baseUrlOf(req);
      if (registered) return html(res, 200, registeredPage(pageOf(registered, env, envPath)));
      if (!target.ok) return html(res, 200, addressNeededPage(target.problem, reachableOrigin(base)));
      const manifest = buildManifest(appYml, target.hookUrl, base);
      return html(res, 200, registerPage({ manifest, formAction: registrationUrl(env, state), owner: env['GH_ORG']?.trim() || null, via: target.via, warning: target.warning, envPath, localWebhookUrl: options.localWebhookUrl() }));
    }
    if (url.pathname === '/probot/setup') {
      const code = url.searchParams.get('code') ?? '';
      if (url.searchParams.get('state') !== state || !/^[\w-]{1,200}$/.test(code)) {
        return html(res, 400, failedPage('This registration did not start here', 'GitHub sent back a registration this setup page did not start (or Changeproof was restarted in between). If GitHub created the app, delete it (its settings → Advanced → Delete GitHub App) and register again from this page.'));
      }
      try {
        registered = await exchangeCode(env, code, options.fetch ?? fetch);
      } catch (error) {
        log.error(`Changeproof setup: ${(error as Error).message}`);
        return html(res, 502, failedPage('GitHub did not complete the registration', (error as Error).message));
      }
      writeEnvFile(envPath, credentialsOf(registered, target.ok && target.via === 'proxy' ? target.hookUrl : null));
      logNextSteps(log, pageOf(registered, env, envPath));
      return html(res, 200, registeredPage(pageOf(registered, env, envPath)));
    }
    return false;
  };
  return handler;
}

/** The log lines of a start without credentials: where to register, or what to set first. */
export function logSetupStart(log: Logger, env: NodeJS.ProcessEnv, setupUrl: string): void {
  const target = webhookTarget(env);
  log.info('Changeproof has no GitHub App credentials yet (APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH): serving the setup page.');
  if (target.ok) {
    log.info(`Open ${setupUrl} to register the app on GitHub${env['GH_ORG'] ? ` under the organisation ${env['GH_ORG']}` : ' under your personal account (set GH_ORG to register it under an organisation)'}; its webhooks will go to ${target.hookUrl}.`);
    if (target.warning) log.warn(target.warning);
  } else {
    log.warn(`${target.problem} Set CHANGEPROOF_PUBLIC_URL (the HTTPS address GitHub reaches this app at) or, for a trial, WEBHOOK_PROXY_URL (a https://smee.io channel), then restart. ${setupUrl} says more; see docs/installing.md.`);
  }
}

async function exchangeCode(env: NodeJS.ProcessEnv, code: string, fetchFn: typeof fetch): Promise<Registration> {
  const url = `${githubApiUrl(env)}/app-manifests/${encodeURIComponent(code)}/conversions`;
  let response: Response;
  try {
    response = await fetchFn(url, { method: 'POST', headers: { accept: 'application/vnd.github+json', 'user-agent': 'changeproof-setup' } });
  } catch (error) {
    throw new Error(`could not reach GitHub at ${url}: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    const message = (() => {
      try {
        return String((JSON.parse(text) as { message?: unknown }).message ?? text);
      } catch {
        return text;
      }
    })();
    throw new Error(`GitHub refused the registration code (${response.status}: ${message.slice(0, 200)}). A code is valid once, for one hour: register again from the setup page.`);
  }
  const data = JSON.parse(text) as Partial<Registration>;
  if (typeof data.id !== 'number' || typeof data.pem !== 'string' || typeof data.webhook_secret !== 'string' || typeof data.html_url !== 'string') {
    throw new Error('GitHub answered the registration without the app id, private key, webhook secret or address');
  }
  return { ...data, name: String(data.name ?? 'Changeproof') } as Registration;
}

function credentialsOf(r: Registration, proxyUrl: string | null): Record<string, string> {
  return {
    APP_ID: String(r.id),
    PRIVATE_KEY: r.pem,
    WEBHOOK_SECRET: r.webhook_secret,
    ...(r.client_id ? { GITHUB_CLIENT_ID: r.client_id } : {}),
    ...(r.client_secret ? { GITHUB_CLIENT_SECRET: r.client_secret } : {}),
    // The restarted app forwards the channel again.
    ...(proxyUrl ? { WEBHOOK_PROXY_URL: proxyUrl } : {}),
  };
}

/**
 * Sets `values` in the `.env` file (created mode 0600: it holds the private
 * key), keeping its other lines as they are. Values are written in double
 * quotes with newlines as `\n`, which Probot's loader (Node's `util.parseEnv`)
 * reads back.
 */
export function writeEnvFile(path: string, values: Record<string, string>): void {
  const keys = new Set(Object.keys(values));
  const kept: string[] = [];
  let skippingQuoted = false;
  for (const line of existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/) : []) {
    if (skippingQuoted) {
      // The rest of a multi-line quoted value being replaced.
      skippingQuoted = !line.includes('"');
      continue;
    }
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (m && keys.has(m[1]!)) {
      skippingQuoted = m[2]!.startsWith('"') && m[2]!.indexOf('"', 1) === -1;
      continue;
    }
    kept.push(line);
  }
  while (kept.length && kept[kept.length - 1]!.trim() === '') kept.pop();
  const added = Object.entries(values).map(([k, v]) => `${k}="${v.replace(/\r?\n/g, '\\n')}"`);
  writeFileSync(path, `${[...kept, ...added].join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function pageOf(r: Registration, env: NodeJS.ProcessEnv, envPath: string) {
  return { name: r.name, htmlUrl: r.html_url, owner: r.owner?.login ?? env['GH_ORG'] ?? null, envPath };
}

function logNextSteps(log: Logger, p: ReturnType<typeof pageOf>): void {
  log.info(`Changeproof is registered on GitHub as ${p.name} (${p.htmlUrl}). Credentials written to ${p.envPath}: keep that file secret.`);
  log.info('Next: 1. restart Changeproof from this folder: it starts with these credentials.');
  log.info(`      2. install the app on repositories: ${installUrl(p.htmlUrl)}`);
  log.info(`      3. require the check "${CHECK_RUN_NAME}" in a ruleset, with this app as its source, and enable the app as a deployment protection rule on gated environments (docs/installing.md).`);
}

/** The address the browser opened the page at (as Probot computes it, behind a proxy too). */
function baseUrlOf(req: IncomingMessage): string {
  const forwardedProto = req.headers['x-forwarded-proto'];
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const proto = (Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto)?.split(',')[0]?.trim() || (encrypted ? 'https' : 'http');
  const forwardedHost = req.headers['x-forwarded-host'];
  const host = (Array.isArray(forwardedHost) ? forwardedHost[0] : forwardedHost) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

/** `base` when GitHub might reach it (not an address of this machine), for the page's suggestion. */
function reachableOrigin(base: string): string | null {
  return webhookTarget({ CHANGEPROOF_PUBLIC_URL: base }).ok ? base : null;
}

function html(res: ServerResponse, status: number, body: string): true {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  return true;
}
