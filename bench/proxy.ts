/**
 * Cost of the provider proxy. Run: npm run bench:proxy
 *
 * The same 10,000 GETs to a local keep-alive API server (a provider's, answering a small JSON
 * object to a bearer token), two ways, in one run:
 *  - direct: `fetch(api + path)` with the integration's access token, then `response.json()`,
 *    what server code holding the token would write;
 *  - proxied: `fetch(app + /proxy/<integrationId> + path)` with a caller's JWT, through the real
 *    app (`createApp` on this machine's PostgreSQL): JWT check, the integration read under the
 *    caller's organization, the token opened, the resilient client's stream(), headers filtered,
 *    the body streamed back.
 * And, for reference, through a bare pass-through: a node:http server that requests the same URL
 * with the token on undici's keep-alive agent (the proxy's transport) and pipes the answer
 * back, nothing else (the second hop's own cost).
 *
 * Each side runs in a process of its own (bench/proxy-upstream.ts for the API and the bare
 * pass-through, bench/proxy-target.ts for the service), and this process only generates load, so
 * no side's figure includes another's event loop. All warmed up, then in blocks of 500 requests
 * taken in turn (rotating which goes first) so all see the same machine state, each block with
 * BENCH_CONCURRENCY requests in flight. On a 2-core machine the processes (and PostgreSQL) still
 * compete for CPU, so the CPU each request costs in each process is printed beside the rates.
 * Reading them: the direct side is bound by the load generator (one fetch client), the proxied
 * side by the service process, which runs at its CPU limit; so the ratio is about the load
 * generator's CPU per direct request over the service's per proxied request. The bare
 * pass-through (a node:http server and an undici client, nothing else) is the floor of any proxy
 * on that stack: proxy/bare says what the service's own work (JWT, row, token, breaker, headers,
 * log line, metrics) costs on top of it.
 * Printed: each side's rate (requests over the time its blocks took), p50/p99 latency and CPU
 * per request (load generator, API server, proxy or pass-through process); the ratio of the
 * proxy's rate to the direct one (target >= 0.5), overall and per round (median, quartiles), and
 * the bare pass-through's; SQL statements per proxied request.
 *
 * Environment: BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_CONCURRENCY (default 8), BENCH_PROF_DIR (write a CPU profile of the service process there).
 * A database of its own is created, migrated (by the service) and dropped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { mintDevelopmentToken } from '../src/auth/development-token.js';
import { loadConfig } from '../src/config.js';
import { sealIntegrationToken } from '../src/connections/integration-token-columns.js';
import { createKeyRing } from '../src/crypto/key-ring.js';
import { createTokenCipher } from '../src/crypto/token-sealing.js';
import { GOOGLE_USERINFO } from '../test/support/fake-google.js';
import type { UpstreamOptions } from './proxy-upstream.js';
import { processSeconds } from './webhooks-cpu-split.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PROF_DIR = process.env.BENCH_PROF_DIR;
const REQUESTS = 10_000;
const BLOCK = 500;
const WARMUP = 1_000;
const ACCESS_TOKEN = `ya29.${randomBytes(24).toString('base64url')}`;
const PATH = '/oauth2/v3/userinfo';
const BODY = JSON.stringify(GOOGLE_USERINFO);

const databaseUrl = (name: string): string => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();

const children: ChildProcess[] = [];

/** Forks a bench script with its JSON argument; resolves with the port it printed as `ready <port>`. */
async function start(script: string, argument: unknown, execArgv: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL(script, import.meta.url).pathname, [JSON.stringify(argument)], {
    execArgv: ['--import', './scripts/register.mjs', '--no-warnings', ...execArgv],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /ready (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // SIGTERM lets the service close and write its CPU profile; the upstreams have nothing to keep.
  child.kill('SIGTERM');
  await exited;
}

const statementsSoFar = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { statements: number }).statements));
    child.send('statements');
  });

const name = `bench_proxy_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);

try {
  const api = await start('./proxy-upstream.ts', { mode: 'api', accessToken: ACCESS_TOKEN, body: BODY } satisfies UpstreamOptions);
  const bare = await start('./proxy-upstream.ts', { mode: 'bare', accessToken: ACCESS_TOKEN, apiUrl: api.url } satisfies UpstreamOptions);
  const env = {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: databaseUrl(name),
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    GOOGLE_API_BASE_URL: api.url,
  };
  const config = loadConfig(env);
  const service = await start('./proxy-target.ts', env, PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] : []);

  const organizationId = randomUUID();
  const integrationId = randomUUID();
  const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
  const database = new pg.Client({ connectionString: databaseUrl(name) });
  await database.connect();
  await database.query(
    `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, token_key_id, token_expires_at, scopes, connected_at)
     values ($1, $2, 'google', 'Google Workspace', 'connected', $3, $4, now() + interval '1 day', '{}', now())`,
    [integrationId, organizationId, sealIntegrationToken(cipher, integrationId, 'access_token', ACCESS_TOKEN), cipher.keyRing.current.id],
  );
  await database.end();
  const jwt = await mintDevelopmentToken(config.auth, { organizationId, userId: 'bench' });

  const call = async (url: string, authorization: string): Promise<void> => {
    const response = await fetch(url, { headers: { authorization } });
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { email?: unknown };
    if (body.email !== 'ada@example.com') throw new Error(`${url}: unexpected body`);
  };

  interface Side {
    label: string;
    call: () => Promise<void>;
    /** The processes a request of this side runs in besides this one. */
    processes: { label: string; pid: number }[];
    latencies: number[];
    millis: number;
    /** CPU seconds per process label, this process's under `load`. */
    cpu: Map<string, number>;
  }

  const apiProcess = { label: 'api', pid: api.child.pid! };
  const sides: Side[] = [
    { label: 'direct (token)', call: () => call(api.url + PATH, `Bearer ${ACCESS_TOKEN}`), processes: [apiProcess] },
    {
      label: 'through /proxy (JWT)',
      call: () => call(`${service.url}/proxy/${integrationId}${PATH}`, `Bearer ${jwt}`),
      processes: [apiProcess, { label: 'proxy', pid: service.child.pid! }],
    },
    { label: 'bare pass-through', call: () => call(bare.url + PATH, 'none'), processes: [apiProcess, { label: 'bare', pid: bare.child.pid! }] },
  ].map((side) => ({ ...side, latencies: [], millis: 0, cpu: new Map() }));
  const [directSide, proxySide, bareSide] = sides as [Side, Side, Side];

  /** `count` calls, `CONCURRENCY` at a time; returns the block's wall time in ms and records each call's latency and CPU. */
  async function block(side: Side, count: number, record: boolean): Promise<number> {
    let next = 0;
    const measured = [{ label: 'load', pid: 'self' as const }, ...side.processes];
    const cpuBefore = measured.map(({ pid }) => processSeconds(pid));
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
      side.millis += millis;
      measured.forEach(({ label, pid }, index) => side.cpu.set(label, (side.cpu.get(label) ?? 0) + processSeconds(pid) - cpuBefore[index]!));
    }
    return millis;
  }

  const statementsBefore = await statementsSoFar(service.child);
  await proxySide.call();
  const statementsFirst = (await statementsSoFar(service.child)) - statementsBefore;
  for (const side of sides) await block(side, WARMUP, false);
  const statementsWarm = await statementsSoFar(service.child);
  await block(proxySide, 100, false);
  const statementsPerRequest = ((await statementsSoFar(service.child)) - statementsWarm) / 100;

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
    const cpu = [...side.cpu].map(([label, seconds]) => `${label} ${((seconds * 1e6) / side.latencies.length).toFixed(0)}`).join(', ');
    return (
      `${side.label.padEnd(22)} ${rate(side).toFixed(0).padStart(6)} req/s   p50 ${percentile(sorted, 50).toFixed(2)} ms   p99 ${percentile(sorted, 99).toFixed(2)} ms` +
      `   CPU µs/req: ${cpu}`
    );
  };
  const sortedRatios = [...roundRatios].sort((a, b) => a - b);
  console.log(`Node ${process.version}; ${REQUESTS} GETs each way to a local keep-alive API, blocks of ${BLOCK} in turn, ${CONCURRENCY} in flight, one process per side`);
  console.log(describe(directSide));
  console.log(describe(proxySide));
  console.log(describe(bareSide));
  console.log(
    `ratio proxied/direct rate ${(rate(proxySide) / rate(directSide)).toFixed(3)} (target >= 0.5); per round: median ${percentile(sortedRatios, 50).toFixed(3)},` +
      ` quartiles ${percentile(sortedRatios, 25).toFixed(3)}-${percentile(sortedRatios, 75).toFixed(3)} over ${roundRatios.length} rounds`,
  );
  console.log(
    `reference: bare pass-through/direct ${(rate(bareSide) / rate(directSide)).toFixed(3)} (the second hop alone); proxy/bare ${(rate(proxySide) / rate(bareSide)).toFixed(3)} (what the proxy adds to it)`,
  );
  console.log(`SQL statements per proxied request: ${statementsPerRequest.toFixed(2)} (first request ${statementsFirst}; lastSyncAt is written at most every 5 s)`);
} finally {
  for (const child of children.reverse()) await stop(child);
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
