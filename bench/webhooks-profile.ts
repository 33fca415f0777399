/**
 * Profiling helper for bench/webhooks.ts (not part of the benchmark): starts one service target
 * with --cpu-prof, drives it (throughput for BENCH_SECONDS, or a fixed BENCH_RATE when
 * BENCH_PROFILE_MODE=rate), then stops it with SIGTERM so the profile is written to BENCH_PROF_DIR.
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { createDatabase } from '../src/db/database.js';
import type { TargetOptions } from './webhooks-target.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const MODE = process.env.BENCH_PROFILE_MODE ?? 'throughput';
const QUEUE = (process.env.BENCH_BACKENDS ?? 'database') as TargetOptions['queue'];
const DIR = process.env.BENCH_PROF_DIR ?? '/tmp/prof';
const SECRET = randomBytes(24).toString('hex');
const TEAM = 'TBENCH0001';

function signed(eventId: string) {
  const body = JSON.stringify({ token: 'bench', team_id: TEAM, api_app_id: 'ABENCH', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event: { type: 'message', channel: 'C0BENCH', user: 'U0BENCH', text: 'benchmark message', ts: `${Date.now() / 1000}` } });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
}

const name = `bench_webhooks_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
try {
  const database = await createDatabase({ databaseUrl: url.toString() });
  await database.asSystem((em) => em.execute(`insert into integrations (organization_id, provider_id, provider_name, external_account_id) values (?, 'slack', 'Slack', ?)`, [randomUUID(), TEAM]));
  await database.close();
  const options: TargetOptions = { mode: 'service', databaseUrl: url.toString(), redisUrl: REDIS_URL, redisPrefix: `bench-${randomBytes(4).toString('hex')}`, queue: QUEUE, slackSigningSecret: SECRET };
  const child = fork(new URL('./webhooks-target.ts', import.meta.url).pathname, [JSON.stringify(options)], {
    execArgv: ['--import', './scripts/register.mjs', '--no-warnings', ...(process.env.BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${DIR}`] : [])],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => child.stdout!.on('data', (c: Buffer) => { const m = /ready (\d+)/.exec(c.toString()); if (m) resolve(Number(m[1])); }));
  if (MODE === 'throughput') {
    const result = await autocannon({ url: `http://127.0.0.1:${port}/webhooks/slack`, method: 'POST', connections: 50, duration: SECONDS, requests: [{ setupRequest: (r) => ({ ...r, ...signed(`Ev${randomUUID()}`) }) }] });
    console.log(`rate ${result.requests.average}`);
  } else {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const started = performance.now();
    let sent = 0;
    while (sent < RATE * SECONDS) {
      const due = Math.min(RATE * SECONDS, Math.floor(((performance.now() - started) / 1000) * RATE));
      while (sent < due) {
        const { body, headers } = signed(`Ev${randomUUID()}`);
        const req = http.request({ host: '127.0.0.1', port, path: '/webhooks/slack', method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, (res) => res.resume());
        req.on('error', () => undefined);
        req.end(body);
        sent++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 3000));
    agent.destroy();
  }
  const sql = new pg.Client({ connectionString: url.toString() });
  await sql.connect();
  console.log((await sql.query(`select status, count(*) from webhook_events group by 1`)).rows);
  await sql.end();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
process.exit(0);
