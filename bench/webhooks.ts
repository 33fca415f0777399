/**
 * Webhook ingest benchmark (`npm run bench:webhooks`), for each queue backend (database, BullMQ):
 *
 *  1. Throughput: signed Slack-shaped events (a fresh event id each) posted as fast as the machine
 *     allows for BENCH_SECONDS (default 30) to `POST /webhooks/slack`, then the same load against a
 *     bare node:http handler doing one PostgreSQL INSERT. Prints both rates, their ratio (target
 *     ≥ 0.6), the service's ack latency p50/p99, and the CPU each request cost in the server, the
 *     load generator and the rest of the machine (PostgreSQL, Redis). The service runs its worker
 *     in-process, as by default, so it also processes what it acknowledges.
 *     Then the in-process worker's completion rate during the run, and over 10 s once the load stops (it drains the
 *     backlog the run built up), after which that backlog is written off.
 *  2. End to end, on a fresh server: events posted at a fixed BENCH_RATE (default 500/s) for BENCH_E2E_SECONDS
 *     (default 20); latency from POST to a Redis pub/sub subscriber seeing COMPLETED (p50/p99;
 *     target p99 < 250 ms).
 *
 * Servers run in child processes (bench/webhooks-target.ts) so the load generator does not share
 * their event loop. A database of its own is created, migrated and dropped.
 * Environment: BENCH_PG_ADMIN_URL, BENCH_REDIS_URL, BENCH_SECONDS, BENCH_RATE, BENCH_E2E_SECONDS,
 * BENCH_CONNECTIONS (default 50), BENCH_BACKENDS (default "database,bullmq").
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { createDatabase } from '../src/db/database.js';
import { RedisPubSub } from '../src/pubsub/redis-pubsub.js';
import { formatCpuPerRequest, startCpuSplit, type CpuSplit } from './webhooks-cpu-split.js';
import { deleteRedisKeys, signedSlackEvent } from './slack-deliveries.js';
import type { TargetOptions } from './webhooks-target.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const E2E_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'database,bullmq').split(',') as TargetOptions['queue'][];
const SIGNING_SECRET = randomBytes(24).toString('hex');
const TEAM = 'TBENCH0001';
const WORKER_WINDOW_S = 10;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function startTarget(options: TargetOptions): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(new URL('./webhooks-target.ts', import.meta.url).pathname, [JSON.stringify(options)], {
    execArgv: ['--import', './scripts/register.mjs', '--no-warnings'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /ready (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const stopTarget = async (child: ChildProcess) => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};

async function throughput({ url, child }: { url: string; child: ChildProcess }): Promise<{ rate: number; p50: number; p99: number; non2xx: number; requests: number; cpu: CpuSplit | null }> {
  const stopCpuSplit = startCpuSplit(child.pid!);
  const result = await autocannon({
    url: `${url}/webhooks/slack`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => {
          const { body, headers } = signedSlackEvent(SIGNING_SECRET, TEAM, `Ev${randomUUID()}`);
          return { ...request, body, headers };
        },
      },
    ],
  });
  const cpu = stopCpuSplit();
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors, requests: result.requests.total, cpu };
}

/** Posts at a fixed rate; resolves with POST → COMPLETED latencies seen by a subscriber. */
async function endToEnd(url: string, organizationId: string, redisPrefix: string): Promise<{ sent: number; seen: number; p50: number; p99: number; max: number }> {
  const pubsub = new RedisPubSub({ url: REDIS_URL, prefix: redisPrefix });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const controller = new AbortController();
  const subscription = (async () => {
    for await (const message of pubsub.subscribe('webhookEventUpdated', organizationId, controller.signal)) {
      if (message.status !== 'completed') continue;
      const eventId = message.payload.event_id as string;
      const start = sentAt.get(eventId);
      if (start !== undefined) latencies.push(performance.now() - start);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300)); // SUBSCRIBE reaches Redis
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(`${url}/webhooks/slack`);
  const post = (eventId: string) => {
    const { body, headers } = signedSlackEvent(SIGNING_SECRET, TEAM, eventId);
    sentAt.set(eventId, performance.now());
    const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, (response) => response.resume());
    request.on('error', () => undefined);
    request.end(body);
  };
  const total = RATE * E2E_SECONDS;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    // Send whatever the schedule says is due, then sleep a tick: a steady rate without bursts.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (sent < due) post(`Ev${randomUUID()}`), sent++;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const deadline = performance.now() + 10_000;
  while (latencies.length < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort();
  await subscription.catch(() => undefined);
  await pubsub.close();
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { sent, seen: latencies.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

async function main(): Promise<void> {
  const name = `bench_webhooks_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  try {
    const database = await createDatabase({ databaseUrl });
    const organizationId = randomUUID();
    await database.asSystem((em) =>
      em.execute(`insert into integrations (organization_id, provider_id, provider_name, external_account_id) values (?, 'slack', 'Slack', ?)`, [organizationId, TEAM]),
    );
    await database.orm.em.fork().execute(`create table bench_bare_events (id bigserial primary key, payload text not null, created_at timestamptz not null default now())`);
    await database.close();

    console.log(`webhook ingest benchmark: ${SECONDS} s at ${CONNECTIONS} connections; end to end at ${RATE}/s for ${E2E_SECONDS} s`);
    for (const queue of BACKENDS) {
      const redisPrefix = `bench-${randomBytes(4).toString('hex')}`;
      const common = { databaseUrl, redisUrl: REDIS_URL, redisPrefix, queue, slackSigningSecret: SIGNING_SECRET };

      const bare = await startTarget({ ...common, mode: 'bare' });
      const bareResult = await throughput(bare);
      await stopTarget(bare.child);

      const service = await startTarget({ ...common, mode: 'service' });
      const sql = new pg.Client({ connectionString: databaseUrl });
      await sql.connect();
      const completed = async () => Number((await sql.query<{ n: string }>(`select count(*) as n from webhook_events where status = 'completed'`)).rows[0]!.n);
      const beforeRun = await completed();
      const serviceResult = await throughput(service);
      // Worker throughput: what the in-process worker completes in WORKER_WINDOW_S once ingest stops.
      const before = await completed();
      const workerRateDuringRun = (before - beforeRun) / SECONDS;
      await new Promise((resolve) => setTimeout(resolve, WORKER_WINDOW_S * 1000));
      const workerRate = ((await completed()) - before) / WORKER_WINDOW_S;
      await stopTarget(service.child);
      // The latency run starts from an empty queue: the throughput run's backlog is written off.
      await sql.query(`update webhook_events set status = 'completed', processed_at = now(), locked_until = null where status in ('pending', 'processing')`);
      await sql.end();
      await deleteRedisKeys(REDIS_URL, redisPrefix);
      const e2ePrefix = `bench-${randomBytes(4).toString('hex')}`;
      const fresh = await startTarget({ ...common, redisPrefix: e2ePrefix, mode: 'service' });
      const stopE2eCpuSplit = startCpuSplit(fresh.child.pid!);
      const e2e = await endToEnd(fresh.url, organizationId, e2ePrefix);
      const e2eCpu = stopE2eCpuSplit();
      await stopTarget(fresh.child);
      await deleteRedisKeys(REDIS_URL, e2ePrefix);

      const ratio = serviceResult.rate / bareResult.rate;
      console.log(`\n[${queue} queue]`);
      console.log(`  bare node:http + 1 INSERT : ${bareResult.rate.toFixed(0)} req/s (ack p50 ${bareResult.p50} ms, p99 ${bareResult.p99} ms, non-2xx ${bareResult.non2xx})`);
      console.log(`  POST /webhooks/slack      : ${serviceResult.rate.toFixed(0)} req/s (ack p50 ${serviceResult.p50} ms, p99 ${serviceResult.p99} ms, non-2xx ${serviceResult.non2xx})`);
      console.log(`  CPU per request, bare     : ${formatCpuPerRequest(bareResult.cpu, bareResult.requests)}`);
      console.log(`  CPU per request, service  : ${formatCpuPerRequest(serviceResult.cpu, serviceResult.requests)}`);
      console.log(`  ratio                     : ${ratio.toFixed(2)} (target >= 0.6) ${ratio >= 0.6 ? 'MET' : 'NOT MET'}`);
      console.log(`  worker during the run     : ${workerRateDuringRun.toFixed(0)} events/s completed (in-process worker, sharing the machine with ingest)`);
      console.log(`  worker after the run      : ${workerRate.toFixed(0)} events/s completed (in-process worker, backlog draining)`);
      console.log(
        `  end to end at ${RATE}/s     : p50 ${e2e.p50.toFixed(1)} ms, p99 ${e2e.p99.toFixed(1)} ms, max ${e2e.max.toFixed(1)} ms ` +
          `(${e2e.seen}/${e2e.sent} seen COMPLETED; target p99 < 250 ms) ${e2e.p99 < 250 && e2e.seen === e2e.sent ? 'MET' : 'NOT MET'}`,
      );
      console.log(`  CPU per event, end to end : ${formatCpuPerRequest(e2eCpu, e2e.sent)}`);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
process.exit(0);
