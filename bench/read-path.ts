/**
 * Read-path benchmark (run by hand: `npm run bench:read-path`). Against the real app
 * (`createApp`) on this machine's PostgreSQL, in one run and on one server:
 *
 *  - `integrations { id provider { id name } webhookEvents(first: 5) { … } }` for an organization
 *    with 20 integrations of 5 webhook events each, against `{ __typename }` (the cost of HTTP,
 *    Apollo and auth alone): both rates, their ratio, p50/p99 latencies;
 *  - SQL statements per request of that query at N = 1, 20 and 100 integrations (must be flat).
 *
 * Environment: BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_DURATION seconds per run (default 10), BENCH_CONNECTIONS (default 10), BENCH_WORKERS load
 * generator threads (default 2).
 * A database of its own is created, migrated, seeded and dropped.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { mintDevelopmentToken } from '../src/auth/development-token.js';
import { loadConfig } from '../src/config.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const EVENTS_PER_INTEGRATION = 5;
const SIZES = [1, 20, 100] as const;

const READ_QUERY = `{ integrations { id providerId status provider { id name }
  webhookEvents(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id eventType status createdAt } } } } }`;
const TRIVIAL_QUERY = '{ __typename }';

const databaseUrl = (name: string): string => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
/** Organizations with fixed ids, one per size. */
const organizationFor = (size: number): string => `00000000-0000-4000-8000-${String(size).padStart(12, '0')}`;

async function seed(url: string): Promise<void> {
  // As the owning superuser (row-level security does not apply): set-based inserts.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const size of SIZES) {
      await client.query(
        `insert into integrations (organization_id, provider_id, provider_name, status, scopes, connected_at)
         select $1::uuid, 'provider-' || i, 'Provider ' || i, 'connected', '{read}', now() from generate_series(1, $2::int) as i`,
        [organizationFor(size), size],
      );
      await client.query(
        `insert into webhook_events (organization_id, integration_id, provider, event_type, payload, status, created_at)
         select i.organization_id, i.id, i.provider_id, 'message.created', jsonb_build_object('n', e), 'completed', now() - make_interval(secs => e)
           from integrations i cross join generate_series(1, $2::int) as e where i.organization_id = $1::uuid`,
        [organizationFor(size), EVENTS_PER_INTEGRATION],
      );
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

interface RunResult {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** The load generator runs in worker threads so it does not take the server's event loop. */
async function load(url: string, token: string, query: string, duration = DURATION): Promise<RunResult> {
  const result = await autocannon({
    workers: WORKERS,
    url: `${url}/graphql`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function main(): Promise<void> {
  const name = `bench_read_path_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  let statements = 0;
  const jwtSecret = randomBytes(32).toString('hex');
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: databaseUrl(name),
    AUTH_JWT_SECRET: jwtSecret,
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });
  // No queue worker: its polling would add statements that are not the read path's.
  const app = await createApp(config, { webhookWorker: false, database: { onQuery: () => void statements++ } });
  try {
    await seed(databaseUrl(name));
    const url = await app.listen(0, '127.0.0.1');
    const tokenFor = (size: number) => mintDevelopmentToken(config.auth, { organizationId: organizationFor(size), userId: 'bench' });

    console.log(`read-path bench: ${CONNECTIONS} connections over ${WORKERS} load threads, ${DURATION}s per run, ${EVENTS_PER_INTEGRATION} events per integration\n`);
    console.log('SQL statements per request (BEGIN, RLS setting and COMMIT included):');
    for (const size of SIZES) {
      const token = await tokenFor(size);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: READ_QUERY }),
      });
      const body = (await response.json()) as { data?: { integrations: { webhookEvents: { edges: unknown[] } }[] }; errors?: unknown };
      if (body.errors || body.data?.integrations.length !== size) throw new Error(`unexpected answer at N=${size}: ${JSON.stringify(body).slice(0, 500)}`);
      statements = 0;
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: READ_QUERY }),
      }).then((r) => r.arrayBuffer());
      const events = body.data.integrations.reduce((sum, i) => sum + i.webhookEvents.edges.length, 0);
      console.log(`  N=${String(size).padStart(3)} integrations (${String(events).padStart(3)} events): ${statements} statements`);
    }

    const token = await tokenFor(20);
    // Warm-up (JIT, pool, prepared plans), then the two measured runs back to back.
    await load(url, token, READ_QUERY, 2);
    const trivial = await load(url, token, TRIVIAL_QUERY);
    const read = await load(url, token, READ_QUERY);
    const row = (label: string, r: RunResult) =>
      `  ${label.padEnd(44)} ${r.rate.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors + r.non2xx}`;
    console.log('\nThroughput (N=20):');
    console.log(row('{ __typename }', trivial));
    console.log(row('integrations + provider + webhookEvents(5)', read));
    console.log(`  ratio read/trivial: ${(read.rate / trivial.rate).toFixed(2)} (target >= 0.5)`);
  } finally {
    await app.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
