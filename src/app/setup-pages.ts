import { CHECK_RUN_NAME } from '../core/constants.js';

/** The pages of the setup flow (`npm start` without credentials). Every interpolated value is escaped. */

const GUIDE = 'docs/installing.md';

export interface RegisterPage {
  manifest: Record<string, unknown>;
  formAction: string;
  owner: string | null;
  via: 'public' | 'proxy';
  warning: string | null;
  envPath: string;
  localWebhookUrl: string;
}

export function registerPage(p: RegisterPage): string {
  const hookUrl = String((p.manifest['hook_attributes'] as { url: string }).url);
  const events = (p.manifest['default_events'] as string[] | undefined) ?? [];
  const permissions = Object.entries((p.manifest['default_permissions'] as Record<string, string> | undefined) ?? {});
  return layout('Register Changeproof on GitHub', `
    <p>This registers <b>${esc(String(p.manifest['name']))}</b> as a GitHub App ${p.owner
      ? `owned by the organisation <b>${esc(p.owner)}</b> (<code>GH_ORG</code>).`
      : `owned by <b>your personal account</b>. A private app can only be installed on the account that owns it: to install it on an organisation's repositories, set <code>GH_ORG=&lt;organisation&gt;</code> and restart.`}</p>
    <p>GitHub will send webhooks to <code>${esc(hookUrl)}</code>${p.via === 'proxy'
      ? `, a smee.io channel this process forwards to <code>${esc(p.localWebhookUrl)}</code> while it runs. That is for trials: in production, give the app an address GitHub reaches (<code>CHANGEPROOF_PUBLIC_URL</code>).`
      : ` (<code>CHANGEPROOF_PUBLIC_URL</code>).`}</p>
    ${p.warning ? `<p class="warn">${esc(p.warning)}</p>` : ''}
    <form action="${esc(p.formAction)}" method="post">
      <input type="hidden" name="manifest" value="${esc(JSON.stringify(p.manifest))}">
      <button type="submit">Register on GitHub</button>
    </form>
    <p>GitHub asks you to confirm the app's name (names are unique on GitHub: change it if it is taken), creates the app and sends you back here. The credentials are then written to <code>${esc(p.envPath)}</code>.</p>
    <details><summary>Permissions and events (from app.yml)</summary>
      <p>${permissions.map(([k, v]) => `<code>${esc(k)}: ${esc(v)}</code>`).join(' ')}</p>
      <p>${events.map((e) => `<code>${esc(e)}</code>`).join(' ')}</p>
    </details>
    ${guide()}`);
}

export function addressNeededPage(problem: string, openedAt: string | null): string {
  return layout('Changeproof needs an address GitHub can reach', `
    <p class="warn">${esc(problem)} Registering now would create an app whose webhooks never arrive.</p>
    <p>Set one of these (in the environment, or in <code>.env</code> in the folder you start Changeproof from), then restart it:</p>
    <ul>
      <li><code>CHANGEPROOF_PUBLIC_URL=https://changeproof.example.com</code> — the HTTPS address where GitHub reaches this app (your server, or the reverse proxy in front of it). Webhooks go to its <code>/api/github/webhooks</code>.${openedAt ? ` You opened this page at <code>${esc(openedAt)}</code>: if GitHub reaches the app there too, set <code>CHANGEPROOF_PUBLIC_URL=${esc(openedAt)}</code>.` : ''}</li>
      <li>For a trial on this machine: open <a href="https://smee.io/new">https://smee.io/new</a> and set <code>WEBHOOK_PROXY_URL</code> to the channel's address (<code>https://smee.io/…</code>); Changeproof forwards the channel's deliveries to itself. Not for production: whoever knows the channel's address can read its deliveries.</li>
    </ul>
    <p>And <code>GH_ORG=&lt;organisation&gt;</code> to register the app under your organisation rather than your personal account.</p>
    ${guide()}`);
}

export interface RegisteredPage {
  name: string;
  htmlUrl: string;
  owner: string | null;
  envPath: string;
}

export function registeredPage(p: RegisteredPage): string {
  return layout('Changeproof is registered', `
    <p>GitHub App <a href="${esc(p.htmlUrl)}">${esc(p.name)}</a>${p.owner ? ` (owned by <b>${esc(p.owner)}</b>)` : ''} is registered. Its credentials (<code>APP_ID</code>, <code>PRIVATE_KEY</code>, <code>WEBHOOK_SECRET</code>) are in <code>${esc(p.envPath)}</code>: keep that file secret.</p>
    <ol>
      ${nextSteps(p).map((step) => `<li>${step}</li>`).join('\n      ')}
    </ol>
    ${guide()}`);
}

/** The steps after registration, as HTML list items (the log prints them as text). */
function nextSteps(p: RegisteredPage): string[] {
  return [
    `<b>Restart Changeproof</b>: stop it and start it again from the same folder; it starts with these credentials and opens the ledger.`,
    `<b>Install the app on repositories</b>: <a href="${esc(installUrl(p.htmlUrl))}">${esc(installUrl(p.htmlUrl))}</a>.`,
    `<b>Require the check</b> <code>${esc(CHECK_RUN_NAME)}</code> in a ruleset of the protected branches, with this app as its source, and enable the app as a deployment protection rule on the environments to gate.`,
  ];
}

export function installUrl(htmlUrl: string): string {
  return `${htmlUrl.replace(/\/+$/, '')}/installations/new`;
}

export function failedPage(title: string, message: string): string {
  return layout(title, `<p class="warn">${esc(message)}</p><p><a href="/probot">Back to the setup page</a></p>${guide()}`);
}

function guide(): string {
  return `<p class="guide">Every step, and registering by hand: <code>${GUIDE}</code> in the Changeproof repository or package.</p>`;
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
  code { background: #f6f8fa; padding: 0 .25em; border-radius: 4px; overflow-wrap: anywhere; }
  .warn { border-left: 4px solid #bf8700; padding-left: .75rem; }
  .guide { color: #59636e; }
  button { font-size: 1rem; padding: .5rem 1rem; cursor: pointer; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>
`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
