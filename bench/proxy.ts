/**
 * Cost of the provider proxy. Run: npm run bench:proxy
 *
 * The same 10,000 GETs to a local keep-alive API server (a provider's, answering a small JSON
 * object to a bearer token), two ways, in one run and one process:
 *  - direct: `fetch(api + path)` with the integration's access token, then `response.json()`,
 *    what server code holding the token would write;
 *  - proxied: `fetch(app + /proxy/<integrationId> + path)` with a caller's JWT, through the real
 *    app (`createApp` on this machine's PostgreSQL): JWT check, the integration read under the
 *    caller's organization, the token opened, the resilient client's stream(), headers filtered,
 *    the body streamed back.
 * And, for reference, through a bare pass-through: a node:http server that fetches the same URL
 * with the token and pipes the answer back, nothing else. Every side runs on this process's one
 * thread, so a proxy pays a second server and a second client beside the caller's and the API's:
 * that floor alone puts any proxy's ratio near 0.5; the bare pass-through's ratio measures it.
 * All warmed up, then in blocks of 500 requests taken in turn (rotating which goes first) so
 * all see the same machine state, each block with BENCH_CONCURRENCY requests in flight.
 * Printed: each side's rate (requests over the time its blocks took), p50/p99 latency and the
 * main thread's CPU per request (load generator, app and API server share it); the ratio of
 * the proxy's rate to the direct one (target >= 0.5), overall and per round (median,
 * quartiles), and the bare pass-through's; SQL statements per proxied request.
 *
 * Environment: BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_CONCURRENCY (default 8). A database of its own is created, migrated and dropped.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { mintDevelopmentToken } from '../src/auth/development-token.js';
import { loadConfig } from '../src/config.js';
import { sealIntegrationToken } from '../src/connections/integration-token-columns.js';
import { createKeyRing } from '../src/crypto/key-ring.js';
import { createTokenCipher } from '../src/crypto/token-sealing.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const REQUESTS = 10_000;
const BLOCK = 500;
const WARMUP = 1_000;
const ACCESS_TOKEN = `ya29.${randomBytes(24).toString('base64url')}`;
const PATH = '/oauth2/v3/userinfo';
const BODY = JSON.stringify({
  sub: '110169484474386276334',
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  picture: 'https://lh3.googleusercontent.com/a/default-user',
  email: 'ada@example.com',
  email_verified: true,
  locale: 'en',
});

const databaseUrl = (name: string): string => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();

const api: Server = createServer((request, response) => {
  if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":401,"status":"UNAUTHENTICATED"}}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(BODY);
});
api.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

// The reference: the least a proxy does (one more server, one more client), nothing else.
const bare: Server = createServer((request, response) => {
  void (async () => {
    const upstream = await fetch(apiUrl + (request.url ?? '/'), { headers: { authorization: `Bearer ${ACCESS_TOKEN}` } });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
    const reader = upstream.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) response.write(read.value);
    response.end();
  })();
});
bare.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

const name = `bench_proxy_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);
let statements = 0;
const config = loadConfig({
  NODE_ENV: 'test',
  PORT: '0',
  DATABASE_URL: databaseUrl(name),
  AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
  INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  LOG_LEVEL: 'silent',
  GOOGLE_API_BASE_URL: apiUrl,
});
// No queue worker: its polling would add statements that are not the proxy's.
const app = await createApp(config, { webhookWorker: false, database: { onQuery: () => void statements++ } });

try {
  const appUrl = await app.listen(0, '127.0.0.1');
  const organizationId = randomUUID();
  const integrationId = randomUUID();
  const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
  await app.database.asSystem((em) =>
    em.execute(
      `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, token_key_id, token_expires_at, scopes, connected_at)
       values (?, ?, 'google', 'Google Workspace', 'connected', ?, ?, now() + interval '1 day', '{}', now())`,
      [integrationId, organizationId, sealIntegrationToken(cipher, integrationId, 'access_token', ACCESS_TOKEN), cipher.keyRing.current.id],
    ),
  );
  const jwt = await mintDevelopmentToken(config.auth, { organizationId, userId: 'bench' });

  const call = async (url: string, authorization: string): Promise<void> => {
    const response = await fetch(url, { headers: { authorization } });
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { email?: unknown };
    if (body.email !== 'ada@example.com') throw new Error(`${url}: unexpected body`);
  };
  const direct = (): Promise<void> => call(apiUrl + PATH, `Bearer ${ACCESS_TOKEN}`);
  const proxied = (): Promise<void> => call(`${appUrl}/proxy/${integrationId}${PATH}`, `Bearer ${jwt}`);
  const passedThrough = (): Promise<void> => call(bareUrl + PATH, 'none');

  interface Side {
    label: string;
    call: () => Promise<void>;
    latencies: number[];
    millis: number;
    cpuMicros: number;
  }

  /** `count` calls, `CONCURRENCY` at a time; returns the block's wall time in ms and records each call's latency. */
  async function block(side: Side, count: number, record: boolean): Promise<number> {
    let next = 0;
    const cpuBefore = process.threadCpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          next += 1;
          const callStarted = performance.now();
          await side.call();
          if (record) side.latencies.push(performance.now() - callStarted);
        }
      }),
    );
    const millis = performance.now() - started;
    if (record) {
      const cpu = process.threadCpuUsage(cpuBefore);
      side.millis += millis;
      side.cpuMicros += cpu.user + cpu.system;
    }
    return millis;
  }

  const sides: Side[] = [
    { label: 'direct (token)', call: direct, latencies: [], millis: 0, cpuMicros: 0 },
    { label: 'through /proxy (JWT)', call: proxied, latencies: [], millis: 0, cpuMicros: 0 },
    { label: 'bare pass-through', call: passedThrough, latencies: [], millis: 0, cpuMicros: 0 },
  ];
  const [directSide, proxySide, bareSide] = sides as [Side, Side, Side];

  statements = 0;
  await proxied();
  const statementsFirst = statements;
  for (const side of sides) await block(side, WARMUP, false);
  statements = 0;
  await block(proxySide, 100, false);
  const statementsPerRequest = statements / 100;

  const roundRatios: number[] = [];
  for (let done = 0, round = 0; done < REQUESTS; done += BLOCK, round += 1) {
    const order = sides.map((_side, index) => sides[(round + index) % sides.length]!);
    const millis = new Map<Side, number>();
    for (const side of order) millis.set(side, await block(side, BLOCK, true));
    roundRatios.push(millis.get(directSide)! / millis.get(proxySide)!);
  }

  const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  const rate = (side: Side): number => (side.latencies.length / side.millis) * 1000;
  const describe = (side: Side): string => {
    const sorted = [...side.latencies].sort((a, b) => a - b);
    return (
      `${side.label.padEnd(22)} ${rate(side).toFixed(0).padStart(6)} req/s   p50 ${percentile(sorted, 50).toFixed(2)} ms   p99 ${percentile(sorted, 99).toFixed(2)} ms` +
      `   main-thread CPU ${(side.cpuMicros / side.latencies.length).toFixed(0)} µs/req`
    );
  };
  const sortedRatios = [...roundRatios].sort((a, b) => a - b);
  console.log(`Node ${process.version}; ${REQUESTS} GETs each way to a local keep-alive API, blocks of ${BLOCK} in turn, ${CONCURRENCY} in flight`);
  console.log(describe(directSide));
  console.log(describe(proxySide));
  console.log(describe(bareSide));
  console.log(
    `ratio proxied/direct rate ${(rate(proxySide) / rate(directSide)).toFixed(3)} (target >= 0.5); per round: median ${percentile(sortedRatios, 50).toFixed(3)},` +
      ` quartiles ${percentile(sortedRatios, 25).toFixed(3)}-${percentile(sortedRatios, 75).toFixed(3)} over ${roundRatios.length} rounds`,
  );
  console.log(
    `reference: bare pass-through/direct ${(rate(bareSide) / rate(directSide)).toFixed(3)} (the second hop alone, in this one thread);` +
      ` proxy/bare ${(rate(proxySide) / rate(bareSide)).toFixed(3)} (what the proxy adds to it)`,
  );
  console.log(`SQL statements per proxied request: ${statementsPerRequest.toFixed(2)} (first request ${statementsFirst}; lastSyncAt is written at most every 5 s)`);
} finally {
  await app.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  for (const server of [api, bare]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
