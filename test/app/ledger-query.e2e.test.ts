import { describe, expect, it } from 'vitest';
import { LedgerQueryError, parseLedgerQuery } from '../../src/app/http/ledger-query.js';
import { acmeScenario, freshConnectionFetch, useApp } from '../support/app-harness.js';

const READ_TOKEN = 'read-token-for-queries';

describe('GET /api/changeproof/ledger reads its parameters strictly', () => {
  const env = useApp();

  it('answers 400, naming the parameter, for anything but one real from, to and repo, in order', async () => {
    const { app } = await env.start(acmeScenario(), { apiToken: READ_TOKEN });
    const get = (query: string) => freshConnectionFetch(`${app.url}/api/changeproof/ledger?${query}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    const refusals: Array<{ query: string; parameter: string; error: RegExp }> = [
      { query: 'from=2026-02-30', parameter: 'from', error: /^from names a day that does not exist: "2026-02-30" \(February 2026 has 28 days\)$/ },
      { query: 'to=2024-02-30', parameter: 'to', error: /^to names a day that does not exist: "2024-02-30" \(February 2024 has 29 days\)$/ },
      { query: 'from=2026-13-01', parameter: 'from', error: /^from has no month 13: "2026-13-01"$/ },
      { query: 'from=2026-00-10', parameter: 'from', error: /^from has no month 00/ },
      { query: 'to=2026-04-31T10:00:00Z', parameter: 'to', error: /^to names a day that does not exist: .*April 2026 has 30 days/ },
      { query: 'from=2026-03-01T25:00:00Z', parameter: 'from', error: /^from names a time that does not exist: "2026-03-01T25:00:00Z"/ },
      { query: 'from=2026-03-01T24:00:00Z', parameter: 'from', error: /names a time that does not exist/ },
      { query: 'from=2026-03-01T10:60:00Z', parameter: 'from', error: /names a time that does not exist/ },
      { query: 'from=2026-03-01T10:00:60Z', parameter: 'from', error: /names a time that does not exist/ },
      { query: 'from=2026-03-01T10:00:00%2B24:00', parameter: 'from', error: /^from has an impossible zone offset/ },
      { query: 'from=2026-03-01T10:00:00', parameter: 'from', error: /^from must be a day \(YYYY-MM-DD\) or a time with its zone \(e\.g\. 2026-03-01T09:30:00Z/ },
      { query: 'from=yesterday', parameter: 'from', error: /^from must be a day/ },
      { query: 'from=1700000000', parameter: 'from', error: /^from must be a day/ },
      { query: 'from=2026-3-1', parameter: 'from', error: /^from must be a day/ },
      { query: 'from=', parameter: 'from', error: /^from must be a day .*got ""$/ },
      { query: 'from=March%201%2C%202026', parameter: 'from', error: /^from must be a day/ },
      { query: 'from=1969-12-31', parameter: 'from', error: /^from must be in 1970 or later/ },
      { query: 'from=2026-01-01&from=2026-02-01', parameter: 'from', error: /^from is given 2 times; give it at most once$/ },
      { query: 'to=2026-01-01&to=2026-01-01', parameter: 'to', error: /^to is given 2 times/ },
      { query: 'repo=acme/api&repo=acme/web', parameter: 'repo', error: /^repo is given 2 times/ },
      { query: 'repo=acme', parameter: 'repo', error: /^repo must be owner\/name, got "acme"$/ },
      { query: 'limit=10', parameter: 'limit', error: /^unknown parameter "limit"; the accepted parameters are from, to and repo$/ },
      { query: 'from=2026-01-01&kind=change&kind=push&seq=1', parameter: 'kind', error: /^unknown parameters "kind", "seq"; the accepted parameters are from, to and repo$/ },
      { query: 'From=2026-01-01', parameter: 'From', error: /^unknown parameter "From"/ },
      { query: 'from=2026-03-02&to=2026-03-01', parameter: 'from', error: /^from \(2026-03-02T00:00:00\.000Z\) is after to \(2026-03-01T00:00:00\.000Z\)/ },
      { query: 'from=2026-03-01T00:30:00%2B01:00&to=2026-02-28T23:00:00Z', parameter: 'from', error: /is after to/ },
    ];
    for (const { query, parameter, error } of refusals) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: string; parameter: string };
      expect(body.parameter, query).toBe(parameter);
      expect(body.error, query).toMatch(error);
    }
    for (const query of ['', 'from=2026-01-01', 'to=2026-03-01T00:00:00Z', 'from=2026-02-28&to=2026-03-01', 'from=2024-02-29', 'from=2026-03-01&to=2026-03-01', 'from=2026-03-01T09:30Z&repo=acme/api', 'to=2026-03-01t09:30:00.123456789z']) {
      expect((await get(query)).status, query).toBe(200);
    }
  });

  it('a refusal never echoes a long value whole', async () => {
    const { app } = await env.start(acmeScenario(), { apiToken: READ_TOKEN });
    const res = await freshConnectionFetch(`${app.url}/api/changeproof/ledger?repo=${'x'.repeat(5000)}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error.length).toBeLessThan(120);
  });
});

describe('parseLedgerQuery', () => {
  it.each([
    ['', {}],
    ['from=2026-01-01', { from: '2026-01-01T00:00:00.000Z' }],
    ['from=2026-03-01T09:30:00Z&to=2026-03-01T10:00:00.5Z', { from: '2026-03-01T09:30:00.000Z', to: '2026-03-01T10:00:00.500Z' }],
    ['from=2026-03-01T09:30:00%2B02:00', { from: '2026-03-01T07:30:00.000Z' }],
    ['from=2026-03-01T23:30:00-01:00', { from: '2026-03-02T00:30:00.000Z' }],
    ['to=2026-12-31T23:59:59.999Z', { to: '2026-12-31T23:59:59.999Z' }],
    ['from=2000-02-29', { from: '2000-02-29T00:00:00.000Z' }],
    ['repo=acme/api.js', { repo: 'acme/api.js' }],
  ])('%j reads as %j', (query, expected) => {
    expect(parseLedgerQuery(new URLSearchParams(query))).toEqual(expected);
  });

  it.each([
    ['from=1900-02-29', 'from'],
    ['from=2100-02-29', 'from'],
    ['to=2026-06-31', 'to'],
    ['to=2026-03-01T12:00:00+05:60', 'to'],
    ['to=2026-03-01T12:00:00.1234567890Z', 'to'],
  ])('%j is refused, naming %s', (query, parameter) => {
    let thrown: unknown;
    try {
      parseLedgerQuery(new URLSearchParams(query));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LedgerQueryError);
    expect((thrown as LedgerQueryError).parameter).toBe(parameter);
    expect((thrown as LedgerQueryError).message.startsWith(parameter)).toBe(true);
  });
});
