import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Where Probot (and so Changeproof) receives webhooks unless `WEBHOOK_PATH` says otherwise. */
export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';

/** The manifest's homepage when app.yml names none: GitHub requires one. */
const HOMEPAGE = 'https://www.npmjs.com/package/changeproof';

/** app.yml of this package (not of the working directory: the package may be installed elsewhere). */
export const APP_YML = new URL('../../app.yml', import.meta.url);

/**
 * Where GitHub will send the app's webhooks, from the address the operator
 * gave: `CHANGEPROOF_PUBLIC_URL` (the address GitHub reaches this app at;
 * webhooks go to its `/api/github/webhooks`) or, for a trial on a machine
 * GitHub cannot reach, `WEBHOOK_PROXY_URL` (a smee.io channel, which the app
 * forwards to itself). Without either, or with one GitHub cannot reach,
 * `problem` says what to set instead.
 *
 * @example webhookTarget({ CHANGEPROOF_PUBLIC_URL: 'https://cp.acme.example' }).hookUrl
 *          // 'https://cp.acme.example/api/github/webhooks'
 */
export type WebhookTarget =
  | { ok: true; hookUrl: string; via: 'public' | 'proxy'; warning: string | null }
  | { ok: false; problem: string };

export function webhookTarget(env: NodeJS.ProcessEnv): WebhookTarget {
  const publicUrl = env['CHANGEPROOF_PUBLIC_URL']?.trim();
  const proxyUrl = env['WEBHOOK_PROXY_URL']?.trim();
  if (publicUrl) {
    const url = reachableUrl('CHANGEPROOF_PUBLIC_URL', publicUrl);
    if (typeof url === 'string') return { ok: false, problem: url };
    const path = (env['WEBHOOK_PATH'] || DEFAULT_WEBHOOK_PATH).replace(/^\/+/, '');
    const base = url.href.endsWith('/') ? url.href : `${url.href}/`;
    const warning = url.protocol === 'http:' ? `CHANGEPROOF_PUBLIC_URL is plain HTTP: GitHub will send deliveries unencrypted. Serve the app over HTTPS.` : null;
    return { ok: true, hookUrl: new URL(path, base).href, via: 'public', warning };
  }
  if (proxyUrl) {
    const url = reachableUrl('WEBHOOK_PROXY_URL', proxyUrl);
    if (typeof url === 'string') return { ok: false, problem: url };
    // smee.io takes deliveries at the channel's own URL and the app forwards them to its webhook path.
    return { ok: true, hookUrl: url.href, via: 'proxy', warning: null };
  }
  return { ok: false, problem: 'GitHub needs an address to send webhooks to, and none is set.' };
}

/** The URL, or why GitHub could not deliver to it. */
function reachableUrl(name: string, value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} is not a URL: "${value}". Give the full address, such as https://changeproof.example.com.`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${name} must be an https:// address, not "${value}".`;
  if (isLoopback(url.hostname)) return `${name} is ${url.origin}, an address of this machine only: GitHub cannot reach it.`;
  return url;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::' || host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** GitHub's web address (github.com, or the GitHub Enterprise Server host). */
export function githubWebUrl(env: NodeJS.ProcessEnv): string {
  return env['GHE_HOST'] ? `${env['GHE_PROTOCOL'] || 'https'}://${env['GHE_HOST']}` : 'https://github.com';
}

/** GitHub's REST API address. */
export function githubApiUrl(env: NodeJS.ProcessEnv): string {
  return env['GHE_HOST'] ? `${githubWebUrl(env)}/api/v3` : 'https://api.github.com';
}

/**
 * GitHub's form that registers an app from a manifest: under the
 * organisation `GH_ORG`, or else under the personal account of whoever
 * submits it. `state` comes back with the registration code.
 */
export function registrationUrl(env: NodeJS.ProcessEnv, state: string): string {
  const org = env['GH_ORG']?.trim();
  const owner = org ? `/organizations/${encodeURIComponent(org)}` : '';
  return `${githubWebUrl(env)}${owner}/settings/apps/new?state=${encodeURIComponent(state)}`;
}

/** The settings of app.yml: name, description, events and permissions. */
export function readAppYml(file: URL | string = APP_YML): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  const parsed: unknown = parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${String(file)} is not a mapping of manifest settings`);
  return parsed as Record<string, unknown>;
}

/**
 * The manifest posted to GitHub: app.yml, with the webhook at `hookUrl` and
 * GitHub sending the registration code back to `setupBaseUrl` (the address
 * the browser opened the setup page at).
 */
export function buildManifest(appYml: Record<string, unknown>, hookUrl: string, setupBaseUrl: string): Record<string, unknown> {
  return {
    ...appYml,
    name: appYml['name'] ?? 'Changeproof',
    url: appYml['url'] ?? HOMEPAGE,
    public: appYml['public'] ?? false,
    hook_attributes: { url: hookUrl, active: true },
    redirect_url: `${setupBaseUrl}/probot/setup`,
  };
}
