/**
 * Read-path benchmark (run by hand: `npm run bench:read-path`). Against the real app
 * (`createApp`) on this machine's PostgreSQL, in one run and on one server:
 *
 *  - `integrations { id provider { id name } webhookEvents(first: 5) { … } }` for an organization
 *    with 20 integrations of 5 webhook events each, against `{ __typename }` (the cost of HTTP,
 *    Apollo and auth alone): both rates, their ratio, p50/p99 latencies. Both get a warm-up and
 *    the same total time, in runs ordered trivial, read, read, trivial; every response body is
 *    checked (a GraphQL error would come back as a 200);
 *  - where the CPU goes per request: the server's thread, V8's and libuv's helper threads, the
 *    load generator's threads (they share this machine's cores with the server) and, for the
 *    read query, PostgreSQL's backends — the ratio is only meaningful next to these;
 *  - SQL statements per request of that query at N = 1, 20 and 100 integrations (must be flat),
 *    on a cold request (executed) and a repeated one (answered by the response cache);
 *  - all of the above twice: with the response cache (as deployed by default) and on a second
 *    server over the same database with the cache off (RESPONSE_CACHE_MB=0), where every request
 *    executes: the ratio of the cached one is the target's, the other shows what execution costs.
 *
 * Environment: BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_DURATION seconds per query, split over two runs (default 10), BENCH_CONNECTIONS (default 10), BENCH_WORKERS load
 * generator threads (default 2).
 * A database of its own is created, migrated, seeded and dropped.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
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
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Connection errors, non-2xx answers and bodies that differ from the expected one. */
  failures: number;
  /** CPU time of the server's thread (the event loop that runs express, Apollo and the pool). */
  serverCpuMicros: number;
  /** CPU time of V8's helper threads (GC, compilers) and libuv's pool, shared by server and load generator. */
  helperCpuMicros: number | null;
  /** CPU time of the load generator's worker threads (what the rest of the process used). */
  loadCpuMicros: number;
}

/**
 * CPU time (microseconds) of this process's long-lived helper threads, by /proc/self/task: V8's
 * (GC, compilers) and libuv's pool. Null where /proc is not readable. The load generator's
 * worker threads are not among them: they exit with each run, taking their /proc entry along.
 */
async function helperThreadsCpuMicros(): Promise<number | null> {
  try {
    let total = 0;
    for (const task of await readdir('/proc/self/task')) {
      const stat = await readFile(`/proc/self/task/${task}/stat`, 'utf8').catch(() => null);
      if (stat === null) continue;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === 'MainThread' || name === 'WorkerThread') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
    }
    return total;
  } catch {
    return null;
  }
}

/**
 * One autocannon run. The load generator runs in worker threads so it does not take the
 * server's event loop; the main thread's CPU time over the run is therefore the server's.
 * Every response body is compared with `expectBody`: a GraphQL error arrives with status 200,
 * so status codes alone would count a failing query as a fast one.
 */
async function load(url: string, token: string, query: string, duration: number, expectBody: string): Promise<RunResult> {
  const helpersBefore = await helperThreadsCpuMicros();
  const cpuBefore = process.threadCpuUsage();
  const processCpuBefore = process.cpuUsage();
  const result = await autocannon({
    workers: WORKERS,
    url: `${url}/graphql`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    expectBody,
  });
  const cpu = process.threadCpuUsage(cpuBefore);
  const processCpu = process.cpuUsage(processCpuBefore);
  const helpersAfter = await helperThreadsCpuMicros();
  const helperCpuMicros = helpersBefore === null || helpersAfter === null ? null : helpersAfter - helpersBefore;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.non2xx + result.mismatches,
    serverCpuMicros: cpu.user + cpu.system,
    helperCpuMicros,
    loadCpuMicros: processCpu.user + processCpu.system - (cpu.user + cpu.system) - (helperCpuMicros ?? 0),
  };
}

/**
 * CPU time (user + system, in microseconds) of this database's PostgreSQL backends, read from
 * /proc: the share of the machine the read query costs outside Node. Null where /proc is not
 * readable (not Linux, or PostgreSQL on another host).
 */
async function postgresCpuMicros(admin: pg.Client, database: string): Promise<Map<number, number> | null> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database]);
  const ticks = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat(5), counted from the state (field 3).
      ticks.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND);
    }
  } catch {
    return null;
  }
  return ticks;
}

/** USER_HZ: 100 on every Linux build that matters here. */
const CLOCK_TICKS_PER_SECOND = 100;

const postgresCpuDelta = (before: Map<number, number> | null, after: Map<number, number> | null): number | null => {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
};

async function main(): Promise<void> {
  const name = `bench_read_path_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  let statements = 0;
  const jwtSecret = randomBytes(32).toString('hex');
  const configWith = (responseCacheMb: string) =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: databaseUrl(name),
      AUTH_JWT_SECRET: jwtSecret,
      INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      RESPONSE_CACHE_MB: responseCacheMb,
      SUBSCRIPTION_SCHEDULER: 'off',
    });
  const config = configWith('64');
  // No queue worker nor subscription scheduler: their polling would add statements that are not the read path's.
  const cached = await createApp(config, { webhookWorker: false, database: { onQuery: () => void statements++ } });
  const uncached = await createApp(configWith('0'), { webhookWorker: false });
  try {
    await seed(databaseUrl(name));
    const url = await cached.listen(0, '127.0.0.1');
    const uncachedUrl = await uncached.listen(0, '127.0.0.1');
    const tokenFor = (size: number) => mintDevelopmentToken(config.auth, { organizationId: organizationFor(size), userId: 'bench' });
    const post = (target: string, token: string, query: string) =>
      fetch(`${target}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });

    console.log(`read-path bench: ${CONNECTIONS} connections over ${WORKERS} load threads, ${DURATION}s per query, ${EVENTS_PER_INTEGRATION} events per integration\n`);
    console.log('SQL statements per request (BEGIN, RLS setting and COMMIT included), executed / answered from the cache:');
    const counts: number[] = [];
    for (const size of SIZES) {
      const token = await tokenFor(size);
      statements = 0;
      const body = (await (await post(url, token, READ_QUERY)).json()) as { data?: { integrations: { webhookEvents: { edges: unknown[] } }[] }; errors?: unknown };
      if (body.errors || body.data?.integrations.length !== size) throw new Error(`unexpected answer at N=${size}: ${JSON.stringify(body).slice(0, 500)}`);
      const executed = statements;
      statements = 0;
      await (await post(url, token, READ_QUERY)).arrayBuffer();
      const events = body.data.integrations.reduce((sum, i) => sum + i.webhookEvents.edges.length, 0);
      console.log(`  N=${String(size).padStart(3)} integrations (${String(events).padStart(3)} events): ${executed} / ${statements} statements`);
      counts.push(executed);
    }
    console.log(`  ${new Set(counts).size === 1 ? 'flat' : 'NOT FLAT'}`);

    const token = await tokenFor(20);
    const queries = { trivial: TRIVIAL_QUERY, read: READ_QUERY };
    const bodies = { trivial: await (await post(url, token, TRIVIAL_QUERY)).text(), read: await (await post(url, token, READ_QUERY)).text() };

    /**
     * Warm-up of both queries (JIT, pool connections, caches). Then the measured runs in the order
     * trivial, read, read, trivial, half the duration each: both queries get the same total time,
     * and a load change on the machine (other processes share its cores) during the measurement
     * weighs on both alike instead of on whichever ran second.
     */
    async function measure(target: string): Promise<{ runs: Record<'trivial' | 'read', RunResult[]>; readPostgresMicros: number | null }> {
      await load(target, token, READ_QUERY, 2, bodies.read);
      await load(target, token, TRIVIAL_QUERY, 2, bodies.trivial);
      const runs: Record<'trivial' | 'read', RunResult[]> = { trivial: [], read: [] };
      let readPostgresMicros: number | null = 0;
      for (const kind of ['trivial', 'read', 'read', 'trivial'] as const) {
        const before = kind === 'read' ? await postgresCpuMicros(admin, name) : null;
        runs[kind].push(await load(target, token, queries[kind], DURATION / 2, bodies[kind]));
        if (kind === 'read') {
          const delta = postgresCpuDelta(before, await postgresCpuMicros(admin, name));
          readPostgresMicros = delta === null || readPostgresMicros === null ? null : readPostgresMicros + delta;
        }
      }
      return { runs, readPostgresMicros };
    }

    const summary = (list: RunResult[]) => {
      const requests = list.reduce((sum, r) => sum + r.requests, 0);
      const seconds = list.reduce((sum, r) => sum + r.seconds, 0);
      return {
        rate: requests / seconds,
        requests,
        p50: list.map((r) => r.p50),
        p99: list.map((r) => r.p99),
        failures: list.reduce((sum, r) => sum + r.failures, 0),
        serverCpuMicrosPerRequest: list.reduce((sum, r) => sum + r.serverCpuMicros, 0) / requests,
        helperCpuMicrosPerRequest: list.some((r) => r.helperCpuMicros === null)
          ? null
          : list.reduce((sum, r) => sum + r.helperCpuMicros!, 0) / requests,
        loadCpuMicrosPerRequest: list.reduce((sum, r) => sum + r.loadCpuMicros, 0) / requests,
      };
    };
    const range = (values: number[]) => `${Math.min(...values)}-${Math.max(...values)}`.padStart(7);
    const ms = (micros: number | null) => (micros === null ? 'n/a' : (micros / 1000).toFixed(2));
    const row = (label: string, r: ReturnType<typeof summary>) =>
      `  ${label.padEnd(44)} ${r.rate.toFixed(0).padStart(7)} req/s   p50 ${range(r.p50)} ms   p99 ${range(r.p99)} ms   ` +
      `failures ${r.failures}\n    CPU ms/req: server thread ${ms(r.serverCpuMicrosPerRequest)}, V8 helpers + libuv ${ms(r.helperCpuMicrosPerRequest)}, ` +
      `load generator ${ms(r.loadCpuMicrosPerRequest)}`;
    for (const [label, target] of [
      ['response cache on (the default)', url],
      ['response cache off: every request executes', uncachedUrl],
    ] as const) {
      const { runs, readPostgresMicros } = await measure(target);
      const trivial = summary(runs.trivial);
      const read = summary(runs.read);
      console.log(`\nThroughput, ${label} (N=20; two runs of ${DURATION / 2}s each per query, p50/p99 as the range over the runs):`);
      console.log(row('{ __typename }', trivial));
      console.log(row('integrations + provider + webhookEvents(5)', read));
      if (readPostgresMicros !== null) {
        console.log(`  PostgreSQL backends' CPU for the read query: ${(readPostgresMicros / read.requests / 1000).toFixed(2)} ms/req`);
      }
      console.log(`  ratio read/trivial: ${(read.rate / trivial.rate).toFixed(2)} (target >= 0.5)`);
    }
  } finally {
    await cached.close();
    await uncached.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
