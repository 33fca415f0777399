import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import { clearAttemptTimeout, startAttemptTimeout, TimedAttempt } from '../../src/resilience/attempt-timeouts.js';
import { createHttpClient, ProviderBreakerRegistry } from '../../src/resilience/index.js';
import { SeriesHistogram } from '../../src/resilience/metrics.js';
import { FlakyServer, json } from './support/flaky-server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An attempt that records when it expired, to compare with its own `expiresAt`. */
class Recorded extends TimedAttempt {
  expiredAt: number | undefined;

  constructor(ms: number) {
    super(performance.now() + ms);
  }

  get expired(): boolean {
    return this.expiredAt !== undefined;
  }

  expire(): void {
    this.expiredAt = performance.now();
  }
}

/**
 * Waits until every one of `attempts` has expired (a loaded machine fires timers late, so no test
 * here asserts what has or has not fired after a fixed sleep), then checks none fired early.
 */
async function untilExpired(attempts: readonly Recorded[]): Promise<void> {
  while (!attempts.every((attempt) => attempt.expired)) await sleep(5);
  for (const attempt of attempts) expect(attempt.expiredAt).toBeGreaterThanOrEqual(attempt.expiresAt);
}

describe('attempt timeouts (one shared timer)', () => {
  it('expires each attempt at its own expiry, earliest first, and never a cleared one', async () => {
    // Far apart, so that even a late timer ends `early` long before `late` is due.
    const late = new Recorded(1_000);
    const early = new Recorded(30);
    const cleared = new Recorded(10);
    for (const attempt of [late, early, cleared]) startAttemptTimeout(attempt);
    clearAttemptTimeout(cleared);
    await untilExpired([early]);
    expect(early.expiredAt).toBeLessThan(late.expiresAt);
    expect(late.expired).toBe(false);
    await untilExpired([late]);
    expect(cleared.expired).toBe(false);
  });

  it('re-arms for a shorter timeout that arrives after a longer one', async () => {
    const long = new Recorded(10_000);
    const short = new Recorded(20);
    startAttemptTimeout(long);
    startAttemptTimeout(short);
    await untilExpired([short]);
    expect(long.expired).toBe(false);
    clearAttemptTimeout(long);
  });

  it('keeps the others when one in the middle is cleared, and clearing twice is harmless', async () => {
    const attempts = [40, 20, 30, 10].map((ms) => new Recorded(ms));
    for (const attempt of attempts) startAttemptTimeout(attempt);
    clearAttemptTimeout(attempts[2]!);
    clearAttemptTimeout(attempts[2]!);
    await untilExpired([attempts[0]!, attempts[1]!, attempts[3]!]);
    expect(attempts[2]!.expired).toBe(false);
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

  it('exposes the duration histogram as prom-client does: cumulative buckets up to +Inf, sum and count', async () => {
    const histogram = new SeriesHistogram('hot_path_test_seconds', 'A test histogram', [0.1, 1]);
    const series = histogram.series({ provider: 'p', method: 'GET' });
    histogram.series({ provider: 'q', method: 'GET' });
    for (const seconds of [0.05, 0.1, 0.5, 3]) series.observe(seconds);
    const { values, type } = await histogram.get();
    expect(type).toBe('histogram');
    // The series nothing was observed in has no lines, as in prom-client.
    expect(values).toEqual([
      { metricName: 'hot_path_test_seconds_bucket', labels: { le: 0.1, provider: 'p', method: 'GET' }, value: 2 },
      { metricName: 'hot_path_test_seconds_bucket', labels: { le: 1, provider: 'p', method: 'GET' }, value: 3 },
      { metricName: 'hot_path_test_seconds_bucket', labels: { le: '+Inf', provider: 'p', method: 'GET' }, value: 4 },
      { metricName: 'hot_path_test_seconds_sum', labels: { provider: 'p', method: 'GET' }, value: 3.65 },
      { metricName: 'hot_path_test_seconds_count', labels: { provider: 'p', method: 'GET' }, value: 4 },
    ]);
    histogram.reset();
    expect((await histogram.get()).values).toEqual([]);
  });

  it('serves the provider duration histogram on the registry, and resets it with the others', async () => {
    const http = createHttpClient({ baseURL: server.url, name: 'hot-path-histogram', breakers: new ProviderBreakerRegistry() });
    await http.get('/h');
    await http.get('/h');
    const text = await register.metrics();
    expect(text).toContain('# TYPE integrations_provider_request_duration_seconds histogram');
    expect(text).toContain('integrations_provider_request_duration_seconds_bucket{le="+Inf",provider="hot-path-histogram",method="GET"} 2');
    expect(text).toMatch(/integrations_provider_request_duration_seconds_sum\{provider="hot-path-histogram",method="GET"\} 0\.\d+/);
    register.resetMetrics();
    expect(await register.metrics()).not.toContain('provider="hot-path-histogram"');
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
