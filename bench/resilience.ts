/**
 * Cost of the resilience layer. Run: npm run bench:resilience
 *
 * 1. The same 10,000 GETs to a local keep-alive server, through raw `fetch` (what a caller
 *    would write: `fetch(url)`, then `response.json()`) and through `createHttpClient` (retry,
 *    circuit breaker, per-attempt timeout, deadline, metrics on; it parses the JSON too), both
 *    on the global dispatcher and its keep-alive pool, both warmed up, in blocks of 500 taken
 *    in turn (rotating which goes first) so both see the same machine state; prints median and
 *    p99 of each and their ratio. Blocks rather than alternating single requests, which
 *    measured the client 2–4 points cheaper: a request's time depends on what ran just before
 *    it, and in a block each side pays for its own cache misses and garbage.
 *    Beside them, for reference, raw `fetch` given a fresh AbortSignal per request: what a
 *    per-attempt timeout costs when it is done with a signal, which the client does not do
 *    (see src/resilience/dispatcher-attempt.ts).
 *    Also printed: each round's client/raw ratio (its two blocks' medians), as the median over
 *    rounds with the quartiles around it. A round's two sides run within a second of each
 *    other, so this machine's slow phases (round trips twice as long for seconds at a time)
 *    move it less than the ratio of the overall medians; the quartiles show how far one run
 *    can be trusted.
 * 2. A call on an open breaker: its median and p99, and the server's connection and request
 *    counts before and after (they must not move: fail-fast opens no socket).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

async function signalledCall(): Promise<unknown> {
  const response = await fetch(`${origin}/user`, { signal: new AbortController().signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

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
await timeBlock(signalledCall, WARMUP, []);

const raw: number[] = [];
const resilient: number[] = [];
const signalled: number[] = [];
const roundRatios: number[] = [];
const paths: [() => Promise<unknown>, number[]][] = [
  [rawCall, raw],
  [clientCall, resilient],
  [signalledCall, signalled],
];
for (let done = 0, block = 0; done < REQUESTS; done += BLOCK, block += 1) {
  // Rotate which side goes first, so none always runs right after a GC another caused.
  for (let index = 0; index < paths.length; index += 1) {
    const [call, into] = paths[(block + index) % paths.length]!;
    await timeBlock(call, BLOCK, into);
  }
  roundRatios.push(summary(resilient.slice(-BLOCK)).median / summary(raw.slice(-BLOCK)).median);
}

const rawSummary = summary(raw);
const resilientSummary = summary(resilient);
const signalledSummary = summary(signalled);
const sortedRoundRatios = [...roundRatios].sort((a, b) => a - b);
const [lowerQuartile, medianRoundRatio, upperQuartile] = [25, 50, 75].map((p) => percentile(sortedRoundRatios, p).toFixed(3));
console.log(`Node ${process.version}; ${REQUESTS} GETs each to a local keep-alive server, in blocks of ${BLOCK} taken in turn`);
console.log(`raw fetch          median ${us(rawSummary.median)}  p99 ${us(rawSummary.p99)}`);
console.log(`createHttpClient   median ${us(resilientSummary.median)}  p99 ${us(resilientSummary.p99)}`);
console.log(
  `ratio (client/raw) median ${(resilientSummary.median / rawSummary.median).toFixed(3)}  p99 ${(resilientSummary.p99 / rawSummary.p99).toFixed(3)}` +
    `  (overhead ${((resilientSummary.median / rawSummary.median - 1) * 100).toFixed(1)} %, ${us(resilientSummary.median - rawSummary.median)} per call at the median;` +
    ` per round: median ${medianRoundRatio}, quartiles ${lowerQuartile}–${upperQuartile} over ${roundRatios.length} rounds)`,
);
console.log(
  `reference: fetch + AbortSignal  median ${us(signalledSummary.median)}  p99 ${us(signalledSummary.p99)}  ` +
    `(ratio ${(signalledSummary.median / rawSummary.median).toFixed(3)}: what a timeout by signal per attempt would cost)`,
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
