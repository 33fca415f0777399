/**
 * Provider-subscription renewal benchmark (`npm run bench:subscriptions`).
 *
 * 10,000 Microsoft Graph subscriptions (on 100 integrations) all fall due for renewal within one
 * minute; two service instances (child processes running the scheduler,
 * test/subscriptions/support/scheduler-process.ts) renew them against a fake Graph (test/support/fake-provider-server.ts) that
 * answers after 50 ms and refuses with 429 + Retry-After above 100 requests/s in any one-second
 * window. Every subscription expires five minutes after it falls due.
 *
 * Prints: renewed before expiry (must be all), double renewals (must be 0), achieved renewals/s
 * as a ratio of the provider's limit (target ≥ 0.9, measured from the first renewal to the last),
 * the 429s received, and the pace the instances learned. A database of its own is created,
 * migrated and dropped. The figures depend on the machine: compare runs on one machine.
 *
 * Environment: BENCH_PG_ADMIN_URL, BENCH_SUBSCRIPTIONS (default 10000), BENCH_LIMIT (requests/s,
 * default 100), BENCH_LATENCY_MS (default 50), BENCH_DUE_SECONDS (default 60), BENCH_INSTANCES
 * (default 2), BENCH_TIMEOUT_SECONDS (default 600).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { sealIntegrationToken } from '../src/connections/integration-token-columns.js';
import { createKeyRing, createTokenCipher } from '../src/crypto/index.js';
import { createDatabase } from '../src/db/database.js';
import { graphError, graphThrottled } from '../test/support/fake-graph-errors.js';
import { FakeProviderServer } from '../test/support/fake-provider-server.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 100);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const DUE_SECONDS = Number(process.env.BENCH_DUE_SECONDS ?? 60);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2);
const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 600);
const INTEGRATIONS = 100;
const EXPIRES_AFTER_DUE_MS = 5 * 60_000;
const ACCESS_TOKEN = 'bench-graph-access-token';

const databaseUrl = (name: string): string => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The fake Graph: PATCH renews (recording when, per subscription), 50 ms per answer, 429 above the limit. */
function startFakeGraph(): { server: FakeProviderServer; renewals: Map<string, number[]> } {
  const server = new FakeProviderServer((status, message) => graphError(status, status === 404 ? 'ResourceNotFound' : 'BadRequest', message), {
    name: 'microsoft',
    rateLimited: graphThrottled,
  });
  const renewals = new Map<string, number[]>();
  server.route('PATCH', '/v1.0/subscriptions/:id', (request, check, params) => {
    if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    const body = request.json() as { expirationDateTime?: unknown };
    check(typeof body.expirationDateTime === 'string', 'expirationDateTime');
    renewals.set(params.id!, [...(renewals.get(params.id!) ?? []), Date.now()]);
    return { json: { id: params.id, resource: '/me/events', expirationDateTime: body.expirationDateTime } };
  });
  server.latencyMs = LATENCY_MS;
  server.rateLimit(LIMIT, 1000);
  return { server, renewals };
}

/** The pace the instances settled on (provider_rate_limits). */
async function learnedRate(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [row] = (await client.query<{ rate: number }>(`select rate from provider_rate_limits where provider = 'microsoft'`)).rows;
    return row === undefined ? undefined : Number(row.rate);
  } finally {
    await client.end();
  }
}

async function startInstance(env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(new URL('../test/subscriptions/support/scheduler-process.ts', import.meta.url).pathname, [JSON.stringify(env)], {
    execArgv: ['--import', './scripts/register.mjs', '--no-warnings'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
  return child;
}

const stop = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
};

async function main(): Promise<void> {
  const name = `bench_subscriptions_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const children: ChildProcess[] = [];
  const { server, renewals } = startFakeGraph();
  await server.start();
  try {
    const key = randomBytes(32).toString('hex');
    const database = await createDatabase({ databaseUrl: databaseUrl(name) });
    const cipher = createTokenCipher(createKeyRing([{ id: 'bench', key: Buffer.from(key, 'hex') }]));
    // One integration per organization and provider: 100 organizations, each with Microsoft connected.
    const integrations = Array.from({ length: INTEGRATIONS }, () => ({ id: randomUUID(), organizationId: randomUUID() }));
    const start = Date.now() + 5_000; // the instances are up by then
    const expiries = new Map<string, number>();
    await database.asSystem(async (em) => {
      for (const { id, organizationId } of integrations) {
        await em.execute(
          `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, token_key_id, connected_by, connected_at)
           values (?, ?, 'microsoft', 'Microsoft 365', 'connected', ?, 'bench', 'bench', now())`,
          [id, organizationId, sealIntegrationToken(cipher, id, 'access_token', ACCESS_TOKEN)],
        );
      }
      const rows = Array.from({ length: SUBSCRIPTIONS }, (_, n) => {
        const due = start + Math.floor((n / SUBSCRIPTIONS) * DUE_SECONDS * 1000);
        expiries.set(`graph-${n}`, due + EXPIRES_AFTER_DUE_MS);
        const { id: integration, organizationId } = integrations[n % INTEGRATIONS]!;
        return { organizationId, integration, resource: `/me/mailFolders('folder-${n}')/messages`, external: `graph-${n}`, due, expires: due + EXPIRES_AFTER_DUE_MS };
      });
      for (let offset = 0; offset < rows.length; offset += 1000) {
        await em.execute(
          `insert into provider_subscriptions (organization_id, integration_id, provider, resource, status, external_id, expires_at, renew_at, next_action)
           select r."organizationId", r.integration, 'microsoft', r.resource, 'active', r.external, to_timestamp(r.expires / 1000.0), to_timestamp(r.due / 1000.0), 'renew'
             from json_to_recordset(?::json) as r("organizationId" uuid, integration uuid, resource text, external text, due bigint, expires bigint)`,
          [JSON.stringify(rows.slice(offset, offset + 1000))],
        );
      }
    });
    await database.close();

    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(name),
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      INTEGRATION_ENCRYPTION_KEYS: `bench:${key}`,
      PUBLIC_URL: 'https://integrations.bench.example',
      MICROSOFT_CLIENT_ID: 'bench',
      MICROSOFT_CLIENT_SECRET: 'bench',
      MICROSOFT_API_BASE_URL: `${server.url}/v1.0`,
      LOG_LEVEL: 'warn',
    };
    for (let n = 0; n < INSTANCES; n++) children.push(await startInstance(env));
    console.log(`${SUBSCRIPTIONS} subscriptions due within ${DUE_SECONDS} s, ${INSTANCES} instances, provider: ${LATENCY_MS} ms latency, 429 above ${LIMIT} requests/s`);

    const deadline = Date.now() + TIMEOUT_SECONDS * 1000;
    let lastReport = 0;
    while (renewals.size < SUBSCRIPTIONS && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        const pace = await learnedRate(databaseUrl(name));
        console.log(`  ${renewals.size} renewed, ${server.rateLimitedCount} 429s, shared pace ${pace?.toFixed(1) ?? '-'} requests/s`);
      }
    }

    const times = [...renewals.values()].map((list) => list[0]!).sort((a, b) => a - b);
    const beforeExpiry = [...renewals].filter(([id, list]) => list[0]! < expiries.get(id)!).length;
    const doubles = [...renewals.values()].filter((list) => list.length > 1).length;
    const seconds = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : NaN;
    const rate = (times.length - 1) / seconds;
    const learned = await learnedRate(databaseUrl(name));
    console.log(`renewed before expiry: ${beforeExpiry} of ${SUBSCRIPTIONS}${beforeExpiry === SUBSCRIPTIONS ? '' : '  (MUST BE ALL)'}`);
    console.log(`double renewals: ${doubles}${doubles === 0 ? '' : '  (MUST BE 0)'}`);
    console.log(`achieved: ${rate.toFixed(1)} renewals/s over ${seconds.toFixed(1)} s = ${(rate / LIMIT).toFixed(2)} of the provider's ${LIMIT}/s (target ≥ 0.9)`);
    console.log(`429s received: ${server.rateLimitedCount}`);
    if (learned !== undefined) console.log(`pace learned by the instances: ${learned.toFixed(1)} requests/s`);
  } finally {
    for (const child of children) await stop(child);
    await server.close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

await main();
