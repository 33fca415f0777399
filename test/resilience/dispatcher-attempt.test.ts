import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startAttemptTimeout } from '../../src/resilience/attempt-timeouts.js';
import { DispatcherAttempt, GLOBAL_DISPATCHER, type FetchDispatchHandler } from '../../src/resilience/dispatcher-attempt.js';
import { fetchTakesDispatcher } from '../../src/resilience/start-fetch-attempt.js';
import { createHttpClient, ProviderBreakerRegistry, type HttpClient } from '../../src/resilience/index.js';
import { failureOf } from './support/failure-of.js';
import { FlakyServer, json } from './support/flaky-server.js';

let server: FlakyServer;
let serial = 0;

beforeAll(async () => {
  server = await new FlakyServer().start();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  jest.restoreAllMocks();
  server.requests.length = 0;
  server.otherwise(json(200, { ok: true }));
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One attempt, one timeout (well within the call's deadline): a client that never retries. */
function client(timeout: number): HttpClient {
  serial += 1;
  return createHttpClient({
    baseURL: server.url,
    name: `transport-${serial}`,
    timeout,
    deadline: timeout * 10,
    retryConfig: { maxAttempts: 1 },
    breakers: new ProviderBreakerRegistry(),
  });
}

/** Waits until the connection of the last request the server saw is closed, or fails after `ms`. */
async function lastConnectionClosed(ms = 1_000): Promise<void> {
  const { socket } = server.requests.at(-1)!;
  for (const until = Date.now() + ms; !socket.destroyed; await sleep(5)) {
    if (Date.now() > until) throw new Error('the connection of the cancelled request is still open');
  }
}

/** A timed attempt of `ms`, its timeout running. */
function timedAttempt(ms: number): DispatcherAttempt {
  const attempt = new DispatcherAttempt(performance.now() + ms);
  startAttemptTimeout(attempt);
  return attempt;
}

/** Runs `body` with `dispatcher` in place of the process's global dispatcher. */
async function withGlobalDispatcher(dispatcher: { dispatch(options: unknown, handler: FetchDispatchHandler): boolean }, body: () => unknown): Promise<void> {
  const globals = globalThis as unknown as Record<symbol, unknown>;
  const realDispatcher = globals[GLOBAL_DISPATCHER];
  globals[GLOBAL_DISPATCHER] = dispatcher;
  try {
    await body();
  } finally {
    globals[GLOBAL_DISPATCHER] = realDispatcher;
  }
}

describe('timeouts in the transport (the dispatcher of each attempt)', () => {
  it('is the path these tests run, as production does: Node fetch and its global dispatcher', async () => {
    await client(1_000).get('/ok');
    expect(fetchTakesDispatcher()).toBe(true);
  });

  it('ends an attempt waiting for its response headers, and closes its connection', async () => {
    server.otherwise({ stall: true });
    const started = performance.now();
    const error = await failureOf(client(80).get('/slow'));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
    // Cancelled, not abandoned: the request's socket is gone.
    await lastConnectionClosed();
  });

  it('ends an attempt whose body stalls after the headers (the timeout covers the body)', async () => {
    server.otherwise({ stallBody: '{"items":[' });
    const error = await failureOf(client(80).get('/half'));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'TIMEOUT' });
    await lastConnectionClosed();
  });

  it('keeps timing an attempt across a redirect, and follows a redirect that answers', async () => {
    server.next({ status: 302, headers: { location: '/next' } }, { stall: true });
    const error = await failureOf(client(100).get('/moved'));
    expect(error.kind).toBe('TIMEOUT');
    expect(server.requests.map((request) => request.url)).toEqual(['/moved', '/next']);
    server.next({ status: 302, headers: { location: '/next' } }, json(200, { arrived: true }));
    await expect(client(1_000).get('/moved')).resolves.toEqual({ arrived: true });
  });

  it('an attempt that expires before fetch dispatches it fails without sending anything', async () => {
    const attempt = new DispatcherAttempt(performance.now());
    attempt.expire();
    const error = await fetch(`${server.url}/never`, { dispatcher: attempt } as RequestInit).catch((caught: unknown) => caught);
    // fetch's own errors come from the process's realm, not the test context's: compared by name.
    expect(error).toMatchObject({ name: 'TypeError', cause: { name: 'TimeoutError' } });
    expect(server.requests).toHaveLength(0);
  });

  it('fails a fetch still waiting for a connection at once, and aborts the request when it connects', async () => {
    // A dispatcher whose connection never comes until told: a stalled connect, a full pool.
    const held: FetchDispatchHandler[] = [];
    await withGlobalDispatcher({ dispatch: (_options, handler) => held.push(handler) > 0 }, async () => {
      const started = performance.now();
      const error = await fetch(`${server.url}/held`, { dispatcher: timedAttempt(50) } as RequestInit).catch((caught: unknown) => caught);
      expect((error as Error).cause).toMatchObject({ name: 'TimeoutError' });
      expect(performance.now() - started).toBeLessThan(1_000);
      // The connection arrives late: fetch, already ended, aborts the request itself.
      const abort = jest.fn<(reason: Error) => void>();
      held[0]!.onConnect(abort);
      expect(abort).toHaveBeenCalledTimes(1);
    });
  });

  it('a timeout that fires after the response completed does nothing', async () => {
    const attempt = timedAttempt(60_000);
    const response = await fetch(`${server.url}/ok`, { dispatcher: attempt } as RequestInit);
    await expect(response.json()).resolves.toEqual({ ok: true });
    expect(() => attempt.expire()).not.toThrow();
    await expect(client(1_000).get('/ok')).resolves.toEqual({ ok: true });
  });

  it('with a fetch that is not Node’s (a spy), times attempts out by an AbortSignal instead', async () => {
    const nodeFetch = globalThis.fetch;
    const spy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => nodeFetch(input, init));
    server.otherwise({ stall: true });
    const error = await failureOf(client(80).get('/spied'));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'TIMEOUT' });
    const init = spy.mock.calls[0]![1] as RequestInit & { dispatcher?: unknown };
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(init.dispatcher).toBeUndefined();
    await lastConnectionClosed();
  });

  it.each([
    ['in the transport', false],
    ['with a spied fetch', true],
  ])('the caller’s signal cancels an attempt in flight (%s)', async (_path, spied) => {
    const nodeFetch = globalThis.fetch;
    if (spied) jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => nodeFetch(input, init));
    server.otherwise({ stall: true });
    const controller = new AbortController();
    const call = client(60_000).get('/slow', { signal: controller.signal });
    while (server.requests.length === 0) await sleep(5);
    controller.abort(new Error('gone'));
    await expect(call).rejects.toThrow('gone');
    await lastConnectionClosed();
  });

  // Last: it switches this module instance to signals for good.
  it('falls back to AbortSignals, with a warning, when fetch hands over a handler it does not know', async () => {
    const warning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const dispatched: unknown[] = [];
    await withGlobalDispatcher({ dispatch: (_options, handler) => dispatched.push(handler) > 0 }, () => {
      const handler = { onRequestStart: () => undefined };
      new DispatcherAttempt(performance.now() + 1_000).dispatch({}, handler as unknown as FetchDispatchHandler);
      expect(dispatched).toEqual([handler]);
      expect(warning).toHaveBeenCalledWith(expect.stringContaining('fall back to AbortSignals'));
      expect(fetchTakesDispatcher()).toBe(false);
    });
  });
});
