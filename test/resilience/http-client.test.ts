import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { register } from 'prom-client';
import {
  createHttpClient,
  IntegrationError,
  ProviderBreakerRegistry,
  isProviderAuthError,
  type HttpClient,
  type HttpClientConfig,
} from '../../src/resilience/index.js';
import { failureOf } from './support/failure-of.js';
import { FlakyServer, json, refusedPortUrl } from './support/flaky-server.js';

let server: FlakyServer;
let breakers: ProviderBreakerRegistry;
let serial = 0;

beforeAll(async () => {
  server = await new FlakyServer().start();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  breakers = new ProviderBreakerRegistry();
});
afterEach(() => {
  server.requests.length = 0;
  server.otherwise(json(200, { ok: true }));
});

/** A client of the flaky server with tiny delays; each gets its own provider name. */
function client(overrides: HttpClientConfig = {}): HttpClient {
  serial += 1;
  return createHttpClient({
    baseURL: server.url,
    name: `flaky-${serial}`,
    timeout: 2_000,
    retryConfig: { maxAttempts: 3, initialDelay: 5, maxDelay: 20 },
    breakers,
    ...overrides,
  });
}

describe('createHttpClient: bodies', () => {
  it('sends plain objects as JSON and parses a JSON answer', async () => {
    server.next(json(201, { id: 7, name: 'Ada' }));
    const created = await client().post('/users', { name: 'Ada' }, { headers: { 'X-Trace': 't1' } });
    expect(created).toEqual({ id: 7, name: 'Ada' });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/users');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-trace']).toBe('t1');
    expect(JSON.parse(request?.body.toString() ?? '')).toEqual({ name: 'Ada' });
  });

  it('keeps the base URL path and sends default headers', async () => {
    server.next(json(200, []));
    await createHttpClient({ baseURL: `${server.url}/api/v1/`, name: `flaky-base-${serial}`, headers: { 'User-Agent': 'suite' }, breakers }).get('/items?page=2');
    expect(server.requests[0]?.url).toBe('/api/v1/items?page=2');
    expect(server.requests[0]?.headers['user-agent']).toBe('suite');
  });

  it('passes forms, multipart and binary bodies through', async () => {
    const http = client();
    await http.post('/form', new URLSearchParams({ a: '1', b: 'two' }));
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    await http.post('/multipart', form);
    await http.put('/binary', Buffer.from([1, 2, 3]), { headers: { 'content-type': 'application/octet-stream' } });
    const [formRequest, multipartRequest, binaryRequest] = server.requests;
    expect(formRequest?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(formRequest?.body.toString()).toBe('a=1&b=two');
    expect(multipartRequest?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(multipartRequest?.body.toString()).toContain('hello');
    expect([...(binaryRequest?.body ?? [])]).toEqual([1, 2, 3]);
  });

  it('returns text as a string and other types as bytes', async () => {
    server.next({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'pong' }, { status: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([9, 8]) });
    const http = client();
    await expect(http.get('/text')).resolves.toBe('pong');
    const bytes = await http.get<Uint8Array>('/bytes');
    expect([...bytes]).toEqual([9, 8]);
  });
});

describe('createHttpClient: retries', () => {
  it('retries 500, 502, 503 and 504 on a GET until it succeeds', async () => {
    server.next(json(500, {}), json(502, {}), json(200, { ok: 1 }));
    await expect(client().get('/flaky')).resolves.toEqual({ ok: 1 });
    expect(server.requests).toHaveLength(3);
    server.requests.length = 0;
    server.next(json(503, {}), json(504, {}), json(200, { ok: 2 }));
    await expect(client().get('/flaky')).resolves.toEqual({ ok: 2 });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a dropped connection on a GET', async () => {
    server.next({ drop: true }, json(200, { ok: true }));
    await expect(client().get('/drop')).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts with PROVIDER_UNAVAILABLE and the last status', async () => {
    server.otherwise(json(503, { error: 'maintenance' }));
    const error = await failureOf(client().get('/down'));
    expect(server.requests).toHaveLength(3);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', statusCode: 503, kind: 'HTTP_STATUS' });
    expect(error.response).toEqual({ error: 'maintenance' });
  });

  it.each([
    [400, 'PROVIDER_REQUEST_REJECTED'],
    [401, 'PROVIDER_AUTH_FAILED'],
    [403, 'PROVIDER_REQUEST_REJECTED'],
    [404, 'PROVIDER_REQUEST_REJECTED'],
    [422, 'PROVIDER_REQUEST_REJECTED'],
  ])('never retries %i; code %s', async (status, code) => {
    server.otherwise(json(status, { error: `status ${status}` }));
    const error = await failureOf(client().get('/wrong'));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ code, statusCode: status, retryable: false });
    expect(error.response).toEqual({ error: `status ${status}` });
    expect(isProviderAuthError(error)).toBe(status === 401);
  });

  it('does not retry a POST that may have reached the server (503, dropped connection)', async () => {
    server.next(json(503, {}));
    expect((await failureOf(client().post('/charge', { amount: 1 }))).statusCode).toBe(503);
    expect(server.requests).toHaveLength(1);
    server.requests.length = 0;
    server.next({ drop: true });
    expect((await failureOf(client().post('/charge', { amount: 1 }))).kind).toBe('NETWORK');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST or PATCH marked idempotent or carrying an idempotency key', async () => {
    server.next(json(503, {}), json(200, { ok: 'flag' }));
    await expect(client().post('/charge', { amount: 1 }, { idempotent: true })).resolves.toEqual({ ok: 'flag' });
    expect(server.requests).toHaveLength(2);
    server.requests.length = 0;
    server.next({ drop: true }, json(200, { ok: 'key' }));
    await expect(client().patch('/charge', { amount: 1 }, { idempotencyKey: 'key-123' })).resolves.toEqual({ ok: 'key' });
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual(['key-123', 'key-123']);
  });

  it('retries a POST whose connection was refused (nothing was sent)', async () => {
    const retries: number[] = [];
    const http = createHttpClient({
      baseURL: await refusedPortUrl(),
      name: `refused-${serial}`,
      retryConfig: { maxAttempts: 3, initialDelay: 1, onRetry: (attempt) => retries.push(attempt) },
      breakers,
    });
    const error = await failureOf(http.post('/anything', { a: 1 }));
    expect(retries).toEqual([1, 2]);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'NETWORK', statusCode: undefined });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('retries a 429 even on a POST (the request was refused before processing)', async () => {
    server.next(json(429, {}, { 'retry-after': '0' }), json(200, { ok: true }));
    await expect(client().post('/message', { text: 'hi' })).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  it('calls onRetry with the retry number, the IntegrationError and the delay', async () => {
    const seen: [number, string, number | undefined, number][] = [];
    server.next(json(503, {}), json(502, {}), json(200, {}));
    await client({ retryConfig: { maxAttempts: 3, initialDelay: 4, jitter: false, onRetry: (attempt, error, delay) => seen.push([attempt, error.name, (error as IntegrationError).statusCode, delay]) } }).get('/x');
    expect(seen).toEqual([
      [1, 'IntegrationError', 503, 4],
      [2, 'IntegrationError', 502, 8],
    ]);
  });
});

describe('createHttpClient: Retry-After and rate limits', () => {
  it('waits Retry-After given in seconds', async () => {
    const delays: number[] = [];
    server.next(json(503, {}, { 'retry-after': '1' }), json(200, { ok: true }));
    await expect(client({ retryConfig: { maxAttempts: 2, initialDelay: 1, onRetry: (_a, _e, delay) => delays.push(delay) } }).get('/later')).resolves.toEqual({ ok: true });
    expect(delays).toEqual([1_000]);
  });

  it('waits Retry-After given as an HTTP date', async () => {
    const delays: number[] = [];
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    server.next(json(429, {}, { 'retry-after': inTwoSeconds }), json(200, { ok: true }));
    await expect(client({ retryConfig: { maxAttempts: 2, initialDelay: 1, onRetry: (_a, _e, delay) => delays.push(delay) } }).get('/later')).resolves.toEqual({ ok: true });
    // An HTTP date has a one-second resolution.
    expect(delays[0]).toBeGreaterThan(0);
    expect(delays[0]).toBeLessThanOrEqual(2_000);
  });

  it('fails at once with RATE_LIMITED and the wait when Retry-After exceeds the cap', async () => {
    server.next(json(429, { error: 'ratelimited' }, { 'retry-after': '120' }));
    const error = await failureOf(client({ maxRetryAfterMs: 10_000 }).get('/busy'));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', statusCode: 429, retryAfterMs: 120_000, retryable: false });
  });

  it('applies the cap to an HTTP-date Retry-After too', async () => {
    server.next(json(429, {}, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }));
    const error = await failureOf(client({ maxRetryAfterMs: 1_000 }).get('/busy'));
    expect(server.requests).toHaveLength(1);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
  });

  it('does not sleep past the deadline for a Retry-After', async () => {
    server.next(json(429, {}, { 'retry-after': '5' }));
    const error = await failureOf(client({ deadline: 1_000, maxRetryAfterMs: 60_000 }).get('/busy'));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 5_000 });
  });

  it('reads x-ratelimit-reset on a 429 without Retry-After', async () => {
    const delays: number[] = [];
    server.next(json(429, {}, { 'x-ratelimit-reset': '0' }), json(200, { ok: true }));
    await client({ retryConfig: { maxAttempts: 2, initialDelay: 1_000, jitter: false, onRetry: (_a, _e, delay) => delays.push(delay) } }).get('/x');
    expect(delays).toEqual([0]);
  });

  it('a 429 that outlives the retries fails with RATE_LIMITED', async () => {
    server.otherwise(json(429, {}));
    const error = await failureOf(client().get('/busy'));
    expect(server.requests).toHaveLength(3);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', statusCode: 429 });
  });
});

describe('createHttpClient: the provider’s own error', () => {
  it('keeps its code and message on one bounded line, anything token-like masked', async () => {
    const echoed = `Invalid header "Authorization: Bearer ya29.a0AfH6SMBxSecret"\nrefresh_token=1//0gLsSecretRefresh; key sk${'9f'.repeat(30)} ${'x'.repeat(400)}`;
    server.next(json(400, { error: { code: 400, message: echoed, errors: [{ domain: 'global', reason: 'badRequest', message: echoed }] } }));
    const error = await failureOf(client().get('/x'));
    expect(error.providerError?.code).toBe('badRequest');
    const said = error.providerError?.message ?? '';
    expect(said.length).toBeLessThanOrEqual(200);
    expect(said).toMatch(/^Invalid header "Authorization: Bearer \[REDACTED\]" refresh_token=\[REDACTED\]; key \[REDACTED\] x+…$/);
    expect(error.message).toBe(`${error.service} rejected the request (HTTP 400): badRequest: ${said}`);
    for (const secret of ['ya29', '1//0g', 'SecretRefresh', '9f9f', '\n']) expect(JSON.stringify({ message: error.message, said: error.providerError })).not.toContain(secret);
  });

  it('reads the usual shapes: OAuth’s error and description, an errors array, a bare message', async () => {
    server.next(
      json(400, { error: 'invalid_request', error_description: 'Missing required parameter: scope' }),
      json(422, { errors: [{ message: 'name: Missing input', help: 'https://example.test/docs' }] }),
      json(409, { message: 'Already exists', code: 'conflict' }),
      { status: 400, headers: { 'content-type': 'text/html' }, body: '<html>Bad Request</html>' },
    );
    const http = client();
    expect((await failureOf(http.get('/a'))).providerError).toEqual({ code: 'invalid_request', message: 'Missing required parameter: scope' });
    expect((await failureOf(http.get('/b'))).providerError).toEqual({ message: 'name: Missing input' });
    expect((await failureOf(http.get('/c'))).providerError).toEqual({ code: 'conflict', message: 'Already exists' });
    const html = await failureOf(http.get('/d'));
    expect(html.providerError).toBeUndefined();
    expect(html.message).toBe(`${html.service} rejected the request (HTTP 400)`);
  });

  it('reads a 403 whose bearer challenge says insufficient_scope (RFC 6750) as a permission the token lacks', async () => {
    server.next({ status: 403, headers: { 'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="files.write"' }, body: '' }, json(403, {}));
    const http = client();
    expect(await failureOf(http.get('/files'))).toMatchObject({ code: 'PROVIDER_PERMISSION_DENIED', statusCode: 403 });
    expect(await failureOf(http.get('/files'))).toMatchObject({ code: 'PROVIDER_REQUEST_REJECTED', statusCode: 403 });
    expect(server.requests).toHaveLength(2);
  });

  it('waits for and retries a 403 its reader calls a rate limit, like a 429, without counting it against the provider', async () => {
    const readError = (body: unknown, status: number) => ({ code: (body as { reason: string }).reason, ...(status === 403 && { status: 429 }) });
    const delays: number[] = [];
    server.next(json(403, { reason: 'slowDown' }, { 'retry-after': '0' }), json(200, { ok: true }));
    await expect(client({ readError, retryConfig: { maxAttempts: 3, initialDelay: 1_000, jitter: false, onRetry: (_a, _e, delay) => delays.push(delay) } }).get('/x')).resolves.toEqual({
      ok: true,
    });
    expect(delays).toEqual([0]);

    server.otherwise(json(403, { reason: 'slowDown' }));
    const limited = client({ readError, circuitBreakerConfig: { failureThreshold: 2 } });
    const error = await failureOf(limited.post('/y', { a: 1 }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', statusCode: 403, providerError: { code: 'slowDown' }, providerFault: false });
    expect(server.requests.filter((request) => request.url === '/y')).toHaveLength(3);
    expect(limited.health()).toMatchObject({ circuitState: 'CLOSED', consecutiveFailures: 0 });
  });

  it('fails a 2xx answer its reader reports on when the provider fails requests that way', async () => {
    const readError = (body: unknown) => ((body as { ok?: boolean }).ok === false ? { code: 'no_such_thing', status: 404 } : undefined);
    server.next(json(200, { ok: false }), json(200, { ok: true, value: 1 }), json(200, { ok: false }));
    const http = client({ readError, failsWith2xx: true });
    expect(await failureOf(http.get('/a'))).toMatchObject({ code: 'no_such_thing', statusCode: 404, retryable: false });
    await expect(http.get('/b')).resolves.toEqual({ ok: true, value: 1 });
    // Without the flag, a 2xx is a success whatever its body.
    await expect(client({ readError }).get('/c')).resolves.toEqual({ ok: false });
  });

  it('reports a failure from its status when the reader throws', async () => {
    server.next(json(404, { anything: true }));
    const error = await failureOf(
      client({
        readError: () => {
          throw new Error('reader bug');
        },
      }).get('/x'),
    );
    expect(error).toMatchObject({ code: 'PROVIDER_REQUEST_REJECTED', statusCode: 404, providerError: undefined });
  });
});

describe('createHttpClient: timeouts, deadline, abort', () => {
  it('times out each attempt and retries it', async () => {
    server.next({ stall: true }, json(200, { ok: true }));
    await expect(client({ timeout: 100 }).get('/slow')).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  it('reports a timed-out call as PROVIDER_UNAVAILABLE of kind TIMEOUT', async () => {
    server.otherwise({ stall: true });
    const error = await failureOf(client({ timeout: 50, retryConfig: { maxAttempts: 2, initialDelay: 1 } }).get('/slow'));
    expect(server.requests).toHaveLength(2);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'TIMEOUT', statusCode: undefined });
    expect(error.message).toContain('50 ms');
  });

  it('ends the call at the overall deadline across attempts', async () => {
    server.otherwise({ stall: true });
    const error = await failureOf(client({ timeout: 10_000, deadline: 150, retryConfig: { maxAttempts: 5, initialDelay: 1 } }).get('/slow'));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'DEADLINE' });
    expect(server.requests).toHaveLength(1);
  });

  it('cuts a backoff wait at the deadline instead of sleeping through it', async () => {
    server.otherwise(json(503, {}));
    const http = client({ timeout: 1_000, deadline: 200, retryConfig: { maxAttempts: 3, initialDelay: 60_000, maxDelay: 60_000, jitter: false } });
    const error = await failureOf(http.get('/down'));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'DEADLINE' });
    expect(server.requests).toHaveLength(1);
  });

  it('sends no attempt after a wait cut at the deadline, even when its timer fires early', async () => {
    server.otherwise(json(503, {}));
    // Timers run on a monotonic millisecond clock and the deadline on the wall clock; the two can
    // disagree by a millisecond (rounding) or more (a wall-clock adjustment). Here the wall clock
    // lags by 5 ms from the moment the wait is armed, so the timer fires before the deadline.
    const realNow = Date.now.bind(Date);
    let skew: jest.Spied<typeof Date.now> | undefined;
    try {
      const http = client({
        timeout: 1_000,
        deadline: 300,
        retryConfig: { maxAttempts: 3, initialDelay: 60_000, maxDelay: 60_000, jitter: false, onRetry: () => void (skew ??= jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 5)) },
      });
      const error = await failureOf(http.get('/down'));
      expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'DEADLINE' });
      expect(server.requests).toHaveLength(1);
    } finally {
      skew?.mockRestore();
    }
  });

  it('a per-call deadline overrides the client one', async () => {
    server.otherwise({ stall: true });
    const error = await failureOf(client({ timeout: 10_000 }).get('/slow', { deadline: 100 }));
    expect(error.kind).toBe('DEADLINE');
  });

  it('an abort cancels the request in flight and rejects with the signal reason', async () => {
    server.otherwise({ stall: true });
    const controller = new AbortController();
    const call = client().get('/slow', { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('user navigated away'));
    await expect(call).rejects.toThrow('user navigated away');
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during a backoff wait rejects at once and sends nothing more', async () => {
    server.otherwise(json(503, {}));
    const controller = new AbortController();
    const call = client({ retryConfig: { maxAttempts: 3, initialDelay: 30_000, maxDelay: 30_000, jitter: false, onRetry: () => controller.abort(new Error('stop')) } }).get('/x', {
      signal: controller.signal,
      deadline: 120_000,
    });
    await expect(call).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(1);
  });
});

describe('createHttpClient: circuit breaker', () => {
  it('opens after consecutive failures and then fails fast without opening a socket', async () => {
    server.otherwise(json(500, {}));
    const http = client({ retryConfig: { maxAttempts: 1 }, circuitBreakerConfig: { failureThreshold: 3, resetTimeout: 60_000 } });
    for (let index = 0; index < 3; index += 1) await failureOf(http.get('/down'));
    expect(http.health().circuitState).toBe('OPEN');
    const connections = server.connections;
    const requests = server.requests.length;
    const error = await failureOf(http.get('/down'));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'CIRCUIT_OPEN', service: http.name });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(server.connections).toBe(connections);
    expect(server.requests).toHaveLength(requests);
  });

  it('stops retrying when the breaker opens mid-call', async () => {
    server.otherwise(json(503, {}));
    const http = client({ retryConfig: { maxAttempts: 5, initialDelay: 1 }, circuitBreakerConfig: { failureThreshold: 2, resetTimeout: 60_000 } });
    const error = await failureOf(http.get('/down'));
    expect(server.requests).toHaveLength(2);
    expect(error.kind).toBe('CIRCUIT_OPEN');
  });

  it('half-opens after the reset timeout and closes on a successful probe', async () => {
    server.next(json(500, {}), json(500, {}));
    const http = client({ retryConfig: { maxAttempts: 1 }, circuitBreakerConfig: { failureThreshold: 2, resetTimeout: 50 } });
    await failureOf(http.get('/x'));
    await failureOf(http.get('/x'));
    expect(http.health().circuitState).toBe('OPEN');
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(http.get('/x')).resolves.toEqual({ ok: true });
    expect(http.health()).toMatchObject({ circuitState: 'CLOSED', consecutiveFailures: 0 });
  });

  it('does not count 4xx answers as failures', async () => {
    server.otherwise(json(404, {}));
    const http = client({ circuitBreakerConfig: { failureThreshold: 2, resetTimeout: 60_000 } });
    for (let index = 0; index < 5; index += 1) await failureOf(http.get('/missing'));
    expect(http.health()).toMatchObject({ circuitState: 'CLOSED', consecutiveFailures: 0, lastError: null });
  });

  it('shares one breaker among the clients of a provider and exposes its health', async () => {
    server.otherwise(json(502, {}));
    const first = client({ name: 'shared-provider', retryConfig: { maxAttempts: 1 }, circuitBreakerConfig: { failureThreshold: 2, resetTimeout: 60_000 } });
    const second = client({ name: 'shared-provider', retryConfig: { maxAttempts: 1 } });
    await failureOf(first.get('/a'));
    await failureOf(second.get('/b'));
    const health = breakers.health('shared-provider');
    expect(health).toMatchObject({ circuitState: 'OPEN', consecutiveFailures: 2, lastError: 'shared-provider failed with HTTP 502' });
    expect(health.lastFailureAt).toBeInstanceOf(Date);
    expect(breakers.list()).toEqual([{ provider: 'shared-provider', ...health }]);
    expect((await failureOf(first.get('/a'))).kind).toBe('CIRCUIT_OPEN');
  });
});

describe('createHttpClient: metrics', () => {
  it('counts requests by status class, retries and breaker state on the default registry', async () => {
    server.next(json(503, {}), json(200, {}));
    const http = client({ name: 'metered' });
    await http.get('/m');
    const requests = await register.getSingleMetric('integrations_provider_requests_total')?.get();
    const values = requests?.values.filter((value) => value.labels.provider === 'metered');
    expect(values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 1, labels: { provider: 'metered', method: 'GET', status_class: '5xx' } }),
        expect.objectContaining({ value: 1, labels: { provider: 'metered', method: 'GET', status_class: '2xx' } }),
      ]),
    );
    const retries = await register.getSingleMetric('integrations_provider_retries_total')?.get();
    expect(retries?.values).toEqual(expect.arrayContaining([expect.objectContaining({ value: 1, labels: { provider: 'metered', reason: '503' } })]));
    const text = await register.metrics();
    expect(text).toContain('integrations_provider_request_duration_seconds_bucket');
    expect(text).toContain('integrations_provider_circuit_state{provider="metered"} 0');
  });
});
