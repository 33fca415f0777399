/**
 * Subscription fan-out benchmark (`npm run bench:fanout`): how long a webhook takes to show as
 * COMPLETED at every graphql-ws subscriber of its organization.
 *
 * Per scenario, fresh service instances (bench/fanout-target.ts: `createApp` in production mode on
 * PostgreSQL and Redis, webhook worker in-process) get N subscribers of one organization, each
 * running the UI's `webhookEventUpdated(integrationId)` subscription, opened from
 * BENCH_SUBSCRIBER_PROCESSES child processes (bench/fanout-subscribers.ts). Signed Slack events
 * are then posted at BENCH_RATE per second for BENCH_SECONDS (after a warm-up), and for every
 * (event, subscriber) the time from the POST to the COMPLETED frame is measured. Printed:
 *  - delivery p50/p99/max and how many frames arrived of those expected;
 *  - where the time goes: POST → COMPLETED published on Redis (seen by a plain Redis subscriber in
 *    this process), then Redis → the subscribers' sockets;
 *  - the acknowledgement latency of the POSTs;
 *  - each server's CPU (share of one core, and per event) and RSS (peak during the run).
 * Scenarios (BENCH_SCENARIOS, default "1x1000,1x5000,2x1000"): `<instances>x<subscribers>`; with
 * two instances the subscribers are split between them and webhooks go to the first, so every
 * message crosses Redis to reach half of them.
 * Target: p99 < 100 ms at 1,000 subscribers on one instance.
 *
 * Everything shares this machine: the subscriber processes and PostgreSQL compete with the server
 * for CPU, so compare figures within one run (and across runs on a quiet machine).
 * Environment: BENCH_PG_ADMIN_URL, BENCH_REDIS_URL, BENCH_SCENARIOS, BENCH_RATE (default 20),
 * BENCH_SECONDS (default 15), BENCH_SUBSCRIBER_PROCESSES (default 2), BENCH_PROF_DIR (write a CPU
 * profile of each server there).
 * A database of its own is created, migrated and dropped; Redis keys under the run's prefixes are deleted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { mintDevelopmentToken } from '../src/auth/development-token.js';
import { createDatabase } from '../src/db/database.js';
import { RedisPubSub } from '../src/pubsub/redis-pubsub.js';
import type { OpenRequest, Report, ReportRequest } from './fanout-subscribers.js';
import type { FanoutTargetOptions } from './fanout-target.js';
import { deleteRedisKeys, signedSlackEvent } from './slack-deliveries.js';
import { processSeconds } from './webhooks-cpu-split.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? '1x1000,1x5000,2x1000').split(',').map((scenario) => {
  const [instances, subscribers] = scenario.split('x').map(Number);
  return { instances: instances!, subscribers: subscribers! };
});
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARM_UP_SECONDS = 3;
const SUBSCRIBER_PROCESSES = Number(process.env.BENCH_SUBSCRIBER_PROCESSES ?? 2);
const PROF_DIR = process.env.BENCH_PROF_DIR;
const SIGNING_SECRET = randomBytes(24).toString('hex');
const JWT_SECRET = randomBytes(32).toString('hex');
const TEAM = 'TFANOUT001';
/** The UI's subscription (client/src/graphql/documents.ts: WebhookEventUpdated with WebhookEventFields). */
const SUBSCRIPTION = `subscription WebhookEventUpdated($integrationId: ID) {
  webhookEventUpdated(integrationId: $integrationId) { id provider eventType status attempts errorMessage processedAt createdAt version }
}`;

const now = (): number => performance.timeOrigin + performance.now();
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const summary = (values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1) ?? NaN)}`;
};

function forkTs(script: string, args: string[], execArgv: string[] = []): ChildProcess {
  return fork(new URL(script, import.meta.url).pathname, args, {
    execArgv: ['--import', './scripts/register.mjs', '--no-warnings', ...execArgv],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

async function startTarget(options: FanoutTargetOptions): Promise<{ port: number; child: ChildProcess }> {
  const child = forkTs('./fanout-target.ts', [JSON.stringify(options)], PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] : []);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /ready (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  return { port, child };
}

async function stopTarget(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(PROF_DIR ? 'SIGTERM' : 'SIGKILL');
  await exited;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', listener);
      resolve(message as T);
    };
    child.on('message', listener);
  });
}

/** Posts signed events at RATE per second for `seconds`; resolves with event_id → post time, and the acknowledgement latencies. */
async function postAtRate(port: number, seconds: number, agent: http.Agent): Promise<{ postedAt: Map<string, number>; acks: number[] }> {
  const postedAt = new Map<string, number>();
  const acks: number[] = [];
  const responses: Promise<void>[] = [];
  const total = Math.round(RATE * seconds);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
    while (sent < due) {
      const eventId = `Ev${randomUUID()}`;
      const { body, headers } = signedSlackEvent(SIGNING_SECRET, TEAM, eventId);
      const at = now();
      postedAt.set(eventId, at);
      responses.push(
        new Promise((resolve) => {
          const request = http.request({ host: '127.0.0.1', port, path: '/webhooks/slack', method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, (response) => {
            response.resume();
            response.on('end', () => {
              if (response.statusCode === 200) acks.push(now() - at);
              resolve();
            });
          });
          request.on('error', () => resolve());
          request.end(body);
        }),
      );
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(responses);
  return { postedAt, acks };
}

async function runScenario(databaseUrl: string, organizationId: string, integrationId: string, instances: number, subscribers: number): Promise<void> {
  const redisPrefix = `bench-fanout-${randomBytes(4).toString('hex')}`;
  const targetOptions: FanoutTargetOptions = {
    databaseUrl,
    redisUrl: REDIS_URL,
    redisPrefix,
    jwtSecret: JWT_SECRET,
    encryptionKey: randomBytes(32).toString('hex'),
    slackSigningSecret: SIGNING_SECRET,
  };
  const targets: { port: number; child: ChildProcess }[] = [];
  for (let index = 0; index < instances; index++) targets.push(await startTarget(targetOptions));
  const token = await mintDevelopmentToken({ jwtSecret: JWT_SECRET, issuer: undefined, audience: undefined, orgClaim: 'org' }, { organizationId, roles: [] });

  // Subscribers: spread over the processes, and over the instances.
  const children = Array.from({ length: SUBSCRIBER_PROCESSES }, () => forkTs('./fanout-subscribers.ts', []));
  await Promise.all(children.map((child) => nextMessage(child, 'started')));
  const share = (total: number, parts: number, index: number) => Math.floor(total / parts) + (index < total % parts ? 1 : 0);
  await Promise.all(
    children.map((child, childIndex) => {
      const count = share(subscribers, SUBSCRIBER_PROCESSES, childIndex);
      const request: OpenRequest = {
        type: 'open',
        targets: targets.map((target, targetIndex) => ({ url: `ws://127.0.0.1:${target.port}/graphql`, count: share(count, instances, targetIndex) })),
        token,
        query: SUBSCRIPTION,
        variables: { integrationId },
      };
      child.send(request);
      return nextMessage(child, 'opened');
    }),
  );

  // Where the time goes: when COMPLETED reaches Redis, as a plain Redis subscriber sees it.
  const redisSeen = new Map<string, number>();
  const watcher = new RedisPubSub({ url: REDIS_URL, prefix: redisPrefix });
  const watching = new AbortController();
  const watch = (async () => {
    for await (const message of watcher.subscribe('webhookEventUpdated', organizationId, watching.signal)) {
      if (message.status === 'completed') redisSeen.set(message.id, now());
    }
  })();

  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const ingestPort = targets[0]!.port;
  await postAtRate(ingestPort, WARM_UP_SECONDS, agent); // warm-up: JIT, pools, SUBSCRIBEs confirmed
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const cpuBefore = targets.map((target) => processSeconds(target.child.pid!));
  const peakRss = targets.map((target) => rssMiB(target.child.pid!));
  const sampler = setInterval(() => targets.forEach((target, index) => (peakRss[index] = Math.max(peakRss[index]!, rssMiB(target.child.pid!)))), 250);
  const measuredFrom = performance.now();
  const { postedAt: postedByDelivery, acks } = await postAtRate(ingestPort, SECONDS, agent);
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the last events reach everyone
  clearInterval(sampler);
  const cpuUsed = targets.map((target, index) => processSeconds(target.child.pid!) - cpuBefore[index]!);
  const elapsed = (performance.now() - measuredFrom) / 1000;
  watching.abort();
  await watch.catch(() => undefined);
  await watcher.close();
  agent.destroy();

  // Webhook event ids (what subscribers see) for the posted Slack event ids.
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  const { rows } = await sql.query<{ id: string; event_id: string }>(`select id, payload->>'event_id' as event_id from webhook_events where payload->>'event_id' = any($1)`, [
    [...postedByDelivery.keys()],
  ]);
  await sql.end();
  const postedAt: Record<string, number> = {};
  for (const row of rows) postedAt[row.id] = postedByDelivery.get(row.event_id)!;

  const reports = await Promise.all(
    children.map((child) => {
      const reply = nextMessage<Report>(child, 'report');
      child.send({ type: 'report', postedAt, redisAt: Object.fromEntries(redisSeen) } satisfies ReportRequest);
      return reply;
    }),
  );
  for (const target of targets) await stopTarget(target.child);
  await deleteRedisKeys(REDIS_URL, redisPrefix);

  const latencies = reports.flatMap((report) => report.latencies);
  const expected = Object.keys(postedAt).length * subscribers;
  const toRedis = Object.entries(postedAt).flatMap(([id, at]) => (redisSeen.has(id) ? [redisSeen.get(id)! - at] : []));
  const fromRedis = reports.flatMap((report) => report.fromRedis);

  console.log(`\n[${instances} instance${instances > 1 ? 's' : ''}, ${subscribers} subscribers${instances > 1 ? ' split between them, webhooks posted to the first' : ''}; ${RATE} events/s for ${SECONDS} s]`);
  console.log(`  webhooks posted              : ${postedByDelivery.size} (${rows.length} stored, ${postedByDelivery.size - acks.length} not answered 200), ack ${summary(acks)}`);
  console.log(`  POST → COMPLETED at each     : ${summary(latencies)} (${latencies.length}/${expected} frames)`);
  console.log(`  POST → COMPLETED on Redis    : ${summary(toRedis)} (ingest, queue, worker, publish)`);
  console.log(`  Redis → each socket          : ${summary(fromRedis)} (the fan-out)`);
  for (const [index, target] of targets.entries()) {
    console.log(
      `  server ${index + 1} (pid ${target.child.pid})       : CPU ${((cpuUsed[index]! / elapsed) * 100).toFixed(0)}% of a core, ` +
        `${((cpuUsed[index]! / Math.max(1, rows.length)) * 1000).toFixed(2)} ms per event; RSS peak ${peakRss[index]!.toFixed(0)} MiB`,
    );
  }
  const closed = reports.reduce((sum, report) => sum + report.closed, 0);
  if (closed > 0) console.log(`  sockets closed by the server : ${closed}`);
}

async function main(): Promise<void> {
  const name = `bench_fanout_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
  try {
    const database = await createDatabase({ databaseUrl });
    const organizationId = randomUUID();
    const [integration] = await database.asSystem((em) =>
      em.execute<{ id: string }[]>(`insert into integrations (organization_id, provider_id, provider_name, external_account_id) values (?, 'slack', 'Slack', ?) returning id`, [
        organizationId,
        TEAM,
      ]),
    );
    await database.close();
    console.log(`subscription fan-out benchmark: ${RATE} events/s for ${SECONDS} s per scenario, subscribers in ${SUBSCRIBER_PROCESSES} processes`);
    for (const { instances, subscribers } of SCENARIOS) await runScenario(databaseUrl, organizationId, integration!.id, instances, subscribers);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
process.exit(0);
