import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import { clearAttemptTimeout, startAttemptTimeout } from '../../src/resilience/attempt-timeouts.js';
import { createHttpClient, ProviderBreakerRegistry } from '../../src/resilience/index.js';
import { FlakyServer, json } from './support/flaky-server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('attempt timeouts (one shared timer)', () => {
  it('aborts each attempt at its own expiry, earliest first, and never a cleared one', async () => {
    const late = new AbortController();
    const early = new AbortController();
    const cleared = new AbortController();
    const lateTimeout = startAttemptTimeout(late, 120);
    startAttemptTimeout(early, 30);
    const clearedTimeout = startAttemptTimeout(cleared, 10);
    clearAttemptTimeout(clearedTimeout);
    await sleep(60);
    expect(early.signal.aborted).toBe(true);
    expect((early.signal.reason as Error).name).toBe('AbortError');
    expect(late.signal.aborted).toBe(false);
    expect(cleared.signal.aborted).toBe(false);
    await sleep(90);
    expect(late.signal.aborted).toBe(true);
    clearAttemptTimeout(lateTimeout);
  });

  it('re-arms for a shorter timeout that arrives after a longer one', async () => {
    const long = new AbortController();
    const short = new AbortController();
    const longTimeout = startAttemptTimeout(long, 10_000);
    startAttemptTimeout(short, 20);
    await sleep(50);
    expect(short.signal.aborted).toBe(true);
    expect(long.signal.aborted).toBe(false);
    clearAttemptTimeout(longTimeout);
  });
});

describe('request metrics (recorded per series, handed to prom-client when read)', () => {
  let server: FlakyServer;
  beforeAll(async () => {
    server = await new FlakyServer().start();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    server.requests.length = 0;
    server.otherwise(json(200, { ok: true }));
  });

  it('exposes every attempt in the counter and the histogram at each read', async () => {
    const http = createHttpClient({ baseURL: server.url, name: 'hot-path-metered', breakers: new ProviderBreakerRegistry(), retryConfig: { maxAttempts: 1 } });
    for (let index = 0; index < 5; index += 1) await http.get('/m');
    server.otherwise(json(404, {}));
    await http.get('/m').catch(() => undefined);
    const requests = await register.getSingleMetric('integrations_provider_requests_total')?.get();
    const mine = requests?.values.filter((value) => value.labels.provider === 'hot-path-metered');
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 5, labels: { provider: 'hot-path-metered', method: 'GET', status_class: '2xx' } }),
        expect.objectContaining({ value: 1, labels: { provider: 'hot-path-metered', method: 'GET', status_class: '4xx' } }),
      ]),
    );
    const duration = await register.getSingleMetric('integrations_provider_request_duration_seconds')?.get();
    const count = duration?.values.find((value) => value.labels.provider === 'hot-path-metered' && (value as { metricName?: string }).metricName?.endsWith('_count'));
    expect(count?.value).toBe(6);
    // A second read adds nothing twice.
    server.otherwise(json(200, { ok: true }));
    await http.get('/m');
    const again = await register.getSingleMetric('integrations_provider_requests_total')?.get();
    expect(again?.values.find((value) => value.labels.provider === 'hot-path-metered' && value.labels.status_class === '2xx')?.value).toBe(6);
    const text = await register.metrics();
    expect(text).toContain('integrations_provider_request_duration_seconds_count{provider="hot-path-metered",method="GET"} 7');
  });

  it('a client made per call adds no series (one per provider and method)', async () => {
    for (let index = 0; index < 3; index += 1) {
      await createHttpClient({ baseURL: server.url, name: 'hot-path-per-call', breakers: new ProviderBreakerRegistry() }).get('/m');
    }
    const requests = await register.getSingleMetric('integrations_provider_requests_total')?.get();
    const mine = requests?.values.filter((value) => value.labels.provider === 'hot-path-per-call');
    expect(mine).toEqual([expect.objectContaining({ value: 3, labels: { provider: 'hot-path-per-call', method: 'GET', status_class: '2xx' } })]);
  });

  it('sends no init member fetch does not need, and still sends what the call sets', async () => {
    const http = createHttpClient({ baseURL: server.url, name: 'hot-path-init', breakers: new ProviderBreakerRegistry() });
    await http.get('/plain');
    await http.get('/with-header', { headers: { 'X-Trace': 't2' } });
    await http.delete('/gone');
    expect(server.requests.map((request) => [request.method, request.url, request.headers['x-trace']])).toEqual([
      ['GET', '/plain', undefined],
      ['GET', '/with-header', 't2'],
      ['DELETE', '/gone', undefined],
    ]);
  });
});
