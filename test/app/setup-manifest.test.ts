import { describe, expect, it } from 'vitest';
import { buildManifest, readAppYml, registrationUrl, webhookTarget } from '../../src/app/setup-manifest.js';

describe('webhookTarget: where GitHub will send webhooks', () => {
  it.each([
    ['the public URL, at the webhook path', { CHANGEPROOF_PUBLIC_URL: 'https://cp.acme.example' }, 'https://cp.acme.example/api/github/webhooks'],
    ['a trailing slash changes nothing', { CHANGEPROOF_PUBLIC_URL: 'https://cp.acme.example/' }, 'https://cp.acme.example/api/github/webhooks'],
    ['behind a path prefix', { CHANGEPROOF_PUBLIC_URL: 'https://acme.example/changeproof' }, 'https://acme.example/changeproof/api/github/webhooks'],
    ['with a port', { CHANGEPROOF_PUBLIC_URL: 'https://acme.example:8443' }, 'https://acme.example:8443/api/github/webhooks'],
    ['at WEBHOOK_PATH when Probot is told to listen there', { CHANGEPROOF_PUBLIC_URL: 'https://cp.acme.example', WEBHOOK_PATH: '/hooks' }, 'https://cp.acme.example/hooks'],
    ['a smee.io channel as it is (the app forwards it to its path)', { WEBHOOK_PROXY_URL: 'https://smee.io/Abc123' }, 'https://smee.io/Abc123'],
    ['the public URL over a proxy left in .env from a trial', { CHANGEPROOF_PUBLIC_URL: 'https://cp.acme.example', WEBHOOK_PROXY_URL: 'https://smee.io/Abc123' }, 'https://cp.acme.example/api/github/webhooks'],
    ['a private network address (GitHub Enterprise Server may reach it)', { CHANGEPROOF_PUBLIC_URL: 'https://10.0.0.5' }, 'https://10.0.0.5/api/github/webhooks'],
  ])('%s', (_, env, hookUrl) => {
    expect(webhookTarget(env)).toMatchObject({ ok: true, hookUrl, warning: null });
  });

  it('plain HTTP is accepted with a warning', () => {
    expect(webhookTarget({ CHANGEPROOF_PUBLIC_URL: 'http://cp.acme.example' })).toMatchObject({ ok: true, warning: expect.stringContaining('unencrypted') });
  });

  it.each([
    ['nothing set', {}, 'none is set'],
    ['a blank value', { CHANGEPROOF_PUBLIC_URL: '  ' }, 'none is set'],
    ['not a URL', { CHANGEPROOF_PUBLIC_URL: 'changeproof.acme.example' }, 'CHANGEPROOF_PUBLIC_URL is not a URL: "changeproof.acme.example"'],
    ['not http(s)', { WEBHOOK_PROXY_URL: 'ftp://smee.io/x' }, 'WEBHOOK_PROXY_URL must be an https:// address'],
    ['localhost', { CHANGEPROOF_PUBLIC_URL: 'http://localhost:3000' }, 'GitHub cannot reach it'],
    ['127.0.0.1', { CHANGEPROOF_PUBLIC_URL: 'https://127.0.0.1' }, 'GitHub cannot reach it'],
    ['::1', { CHANGEPROOF_PUBLIC_URL: 'http://[::1]:3000' }, 'GitHub cannot reach it'],
    ['0.0.0.0', { CHANGEPROOF_PUBLIC_URL: 'http://0.0.0.0:3000' }, 'GitHub cannot reach it'],
    ['a .localhost name', { CHANGEPROOF_PUBLIC_URL: 'http://app.localhost' }, 'GitHub cannot reach it'],
  ])('%s: a problem saying so, no hook', (_, env, problem) => {
    const target = webhookTarget(env);
    expect(target.ok).toBe(false);
    expect(target.ok ? '' : target.problem).toContain(problem);
  });
});

describe('registrationUrl: GitHub\'s form that registers an app from a manifest', () => {
  it.each([
    ['the personal account by default', {}, 'https://github.com/settings/apps/new?state=s1'],
    ['the organisation of GH_ORG', { GH_ORG: 'acme' }, 'https://github.com/organizations/acme/settings/apps/new?state=s1'],
    ['GitHub Enterprise Server', { GH_ORG: 'acme', GHE_HOST: 'github.acme.example' }, 'https://github.acme.example/organizations/acme/settings/apps/new?state=s1'],
    ['GitHub Enterprise Server over its protocol', { GHE_HOST: 'ghe.local:8080', GHE_PROTOCOL: 'http' }, 'http://ghe.local:8080/settings/apps/new?state=s1'],
  ])('%s', (_, env, url) => {
    expect(registrationUrl(env, 's1')).toBe(url);
  });
});

describe('buildManifest', () => {
  const appYml = readAppYml();

  it('is app.yml with the webhook and the way back to the setup page', () => {
    const manifest = buildManifest(appYml, 'https://cp.acme.example/api/github/webhooks', 'http://localhost:3000');
    expect(manifest).toEqual({ ...appYml, hook_attributes: { url: 'https://cp.acme.example/api/github/webhooks', active: true }, redirect_url: 'http://localhost:3000/probot/setup' });
    // GitHub requires a homepage; the app stays private to its owner.
    expect(manifest).toMatchObject({ name: 'Changeproof', url: expect.stringMatching(/^https:\/\//), public: false });
    expect(manifest['default_events']).toContain('pull_request');
    expect(manifest['default_permissions']).toMatchObject({ checks: 'write', deployments: 'write' });
  });

  it('a hook in app.yml does not override the address given', () => {
    const manifest = buildManifest({ name: 'X', hook_attributes: { url: 'http://localhost:3000/' } }, 'https://smee.io/Abc', 'http://localhost:3000');
    expect(manifest).toMatchObject({ name: 'X', public: false, url: 'https://www.npmjs.com/package/changeproof', hook_attributes: { url: 'https://smee.io/Abc' } });
  });
});
