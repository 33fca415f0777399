import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeProviderServer } from '../../support/fake-provider-server.js';
import { RequestLog } from '../../support/fake-request-log.js';
import { startOidcServer } from '../../support/oidc-server.js';

const clock = new FakeClock(Date.parse('2026-12-05T09:00:00Z'));
const log = new RequestLog();
const fake = new FakeProviderServer((status, message) => ({ status, json: { error: { code: status, message } } }), { name: 'acme', clock, log });
fake.route('GET', '/items/:id', (_request, _check, params) => ({ json: { id: params.id } }));
fake.route('DELETE', '/items/:id', () => ({ status: 204 }));
let origin: string;

beforeAll(async () => {
  origin = await fake.start();
});

afterAll(() => fake.close());

const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${origin}${path}`, init);

describe('failure injection', () => {
  it('answers injected statuses in the provider error shape, then routes again', async () => {
    fake.fail('GET', '/items/:id', { status: 503, headers: { 'retry-after': '2' } }, 2);
    const first = await get('/items/1');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.json()).toEqual({ error: { code: 503, message: 'Service Unavailable' } });
    expect((await get('/items/1')).status).toBe(503);
    expect(await (await get('/items/1')).json()).toEqual({ id: '1' });
  });

  it('resets the connection, or never answers, on request', async () => {
    fake.fail('GET', '/items/:id', 'reset');
    await expect(get('/items/2')).rejects.toThrow();
    fake.fail('GET', '/items/:id', 'stall');
    await expect(get('/items/3', { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('refuses connections until told to accept them again, on the same port', async () => {
    await fake.refuseConnections();
    await expect(get('/items/4')).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    await fake.acceptConnections();
    expect((await get('/items/4')).status).toBe(200);
  });
});

describe('rate limit', () => {
  it("answers the provider's 429 with Retry-After above the limit in the window", async () => {
    fake.rateLimit(3, 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await get(`/items/${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await get('/items/9');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(fake.rateLimitedCount).toBe(3);
    fake.rateLimit(undefined);
    expect((await get('/items/9')).status).toBe(200);
  });
});

describe('shared request log', () => {
  it('orders calls to a provider and to the OAuth server in one log, on the fake clock', async () => {
    const oidc = await startOidcServer({ clientId: 'client', clientSecret: 'client-secret-0123456789', redirectUri: 'http://127.0.0.1/cb', log, clock });
    try {
      log.clear();
      await get('/items/7', { method: 'DELETE', headers: { authorization: 'Bearer abc', 'x-request-id': 'r1', cookie: 'ignored' } });
      clock.advance(1000);
      await fetch(`${oidc.issuer}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'some-refresh-token', token_type_hint: 'refresh_token' }),
      });
      const [deletion, revocation] = log.entries;
      expect(deletion).toMatchObject({ provider: 'acme', direction: 'in', method: 'DELETE', path: '/items/7', status: 204, headers: { authorization: 'Bearer abc', 'x-request-id': 'r1' } });
      expect(deletion!.headers).not.toHaveProperty('cookie');
      expect(revocation).toMatchObject({ provider: 'oauth', method: 'POST', path: '/token/revocation', body: { token: 'some-refresh-token', token_type_hint: 'refresh_token' }, status: 200 });
      expect(revocation!.seq).toBeGreaterThan(deletion!.answeredSeq!);
      expect(revocation!.at - deletion!.at).toBe(1000);
    } finally {
      await oidc.close();
    }
  });
});
