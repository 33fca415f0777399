/**
 * Cost of the resilience layer. Run: npm run bench:resilience
 *
 * 1. The same 10,000 GETs to a local keep-alive server, through raw `fetch` (what a caller
 *    would write: `fetch(url)`, then `response.json()`) and through `createHttpClient` (retry,
 *    circuit breaker, timeouts, metrics on; it parses the JSON too), both on the global
 *    dispatcher and its keep-alive pool, both warmed up, interleaved in blocks (alternating
 *    which goes first) so both see the same machine state; prints median and p99 of each and
 *    their ratio.
 *    Beside them, the floor of any client built as the issue asks: cockatiel's retry around its
 *    breaker around a bare `fetch` with a fresh AbortSignal (what a per-attempt timeout needs),
 *    and `response.json()`; nothing else (no timeout armed, no metrics, no error mapping).
 * 2. A call on an open breaker: its median and p99, and the server's connection and request
 *    counts before and after (they must not move: fail-fast opens no socket).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry } from 'cockatiel';
import { createHttpClient, IntegrationError, ProviderBreakerRegistry } from '../src/resilience/index.js';

const REQUESTS = 10_000;
const BLOCK = 500;
const WARMUP = 1_000;
const BODY = JSON.stringify({ id: 'U123', name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin'] });

let connections = 0;
let requests = 0;

const server: Server = createServer((request, response) => {
  requests += 1;
  if (request.url === '/down') {
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"down"}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(BODY);
});
server.on('connection', () => {
  connections += 1;
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const breakers = new ProviderBreakerRegistry();
const client = createHttpClient({ baseURL: origin, name: 'bench', breakers });

async function rawCall(): Promise<unknown> {
  const response = await fetch(`${origin}/user`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

const clientCall = (): Promise<unknown> => client.get('/user');

const floorRetry = retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() });
const floorBreaker = circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
const floorCall = (): Promise<unknown> =>
  floorRetry.execute(() =>
    floorBreaker.execute(async () => {
      const response = await fetch(`${origin}/user`, { signal: new AbortController().signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    }),
  );

async function timeBlock(call: () => Promise<unknown>, count: number, into: number[]): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await call();
    into.push(performance.now() - started);
  }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function summary(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;

// Warm every path (JIT, connection pool) before measuring.
await timeBlock(rawCall, WARMUP, []);
await timeBlock(clientCall, WARMUP, []);
await timeBlock(floorCall, WARMUP, []);

const raw: number[] = [];
const resilient: number[] = [];
const floor: number[] = [];
const paths: [() => Promise<unknown>, number[]][] = [
  [rawCall, raw],
  [clientCall, resilient],
  [floorCall, floor],
];
for (let done = 0, block = 0; done < REQUESTS; done += BLOCK, block += 1) {
  // Rotate which side goes first, so none always runs right after a GC another caused.
  for (let index = 0; index < paths.length; index += 1) {
    const [call, into] = paths[(block + index) % paths.length]!;
    await timeBlock(call, BLOCK, into);
  }
}

const rawSummary = summary(raw);
const resilientSummary = summary(resilient);
const floorSummary = summary(floor);
console.log(`Node ${process.version}; ${REQUESTS} GETs each to a local keep-alive server, interleaved in blocks of ${BLOCK}`);
console.log(`raw fetch          median ${us(rawSummary.median)}  p99 ${us(rawSummary.p99)}`);
console.log(`createHttpClient   median ${us(resilientSummary.median)}  p99 ${us(resilientSummary.p99)}`);
console.log(
  `floor              median ${us(floorSummary.median)}  p99 ${us(floorSummary.p99)}  ` +
    `(cockatiel retry + breaker + an AbortSignal around fetch alone: ratio ${(floorSummary.median / rawSummary.median).toFixed(3)})`,
);
console.log(
  `ratio (client/raw) median ${(resilientSummary.median / rawSummary.median).toFixed(3)}  p99 ${(resilientSummary.p99 / rawSummary.p99).toFixed(3)}` +
    `  (overhead ${((resilientSummary.median / rawSummary.median - 1) * 100).toFixed(1)} %, ${us(resilientSummary.median - rawSummary.median)} per call at the median)`,
);

// Open the breaker of another provider, then time calls that it refuses.
const failing = createHttpClient({ baseURL: origin, name: 'bench-open', breakers, retryConfig: { maxAttempts: 1 }, circuitBreakerConfig: { failureThreshold: 1, resetTimeout: 600_000 } });
await failing.get('/down').catch(() => undefined);
if (failing.health().circuitState !== 'OPEN') throw new Error('the breaker did not open');
const connectionsBefore = connections;
const requestsBefore = requests;
const openCalls: number[] = [];
let refusedAsOpen = 0;
await timeBlock(
  () =>
    failing.get('/down').catch((error: unknown) => {
      if (error instanceof IntegrationError && error.kind === 'CIRCUIT_OPEN') refusedAsOpen += 1;
    }),
  REQUESTS,
  openCalls,
);
const openSummary = summary(openCalls);
console.log(
  `open breaker       median ${us(openSummary.median)}  p99 ${us(openSummary.p99)}  ` +
    `(${refusedAsOpen}/${REQUESTS} refused as CIRCUIT_OPEN; connections opened ${connections - connectionsBefore}, requests received ${requests - requestsBefore})`,
);

server.closeAllConnections();
await new Promise<void>((resolve) => server.close(() => resolve()));
