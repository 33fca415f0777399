/**
 * Token refresh benchmark (`npm run bench:refresh`). 200 concurrent callers, split over two
 * processes (each with its own ORM instance and connection pool, like two replicas), ask for
 * the access token of one integration at the same moment:
 *
 *  1. with a fresh token (after a warm-up round): the baseline cost of `withAccessToken`;
 *  2. with an expired token: every caller needs a refresh; exactly one refresh request may reach
 *     the token endpoint (single flight through the row lock), the rest wait for its result.
 *
 * Prints the refresh requests the token endpoint saw and the latency added by the refresh
 * (p50/p95/max, expired minus fresh). The OAuth server is a real oidc-provider on loopback.
 *
 * Environment: BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_CALLERS (default 200). A database of its own is created, migrated and dropped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { ConnectionService } from '../src/connections/connection-service.js';
import { createKeyRing } from '../src/crypto/key-ring.js';
import { createTokenCipher } from '../src/crypto/token-sealing.js';
import { createDatabase } from '../src/db/database.js';
import { InMemoryPubSub } from '../src/pubsub/in-memory-pubsub.js';
import { startOidcServer } from '../test/support/oidc-server.js';
import type { WorkerReport } from './refresh-worker.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CALLERS = Number(process.env.BENCH_CALLERS ?? 200);
const PROCESSES = 2;
const REDIRECT_URI = 'http://localhost:4001/oauth/callback';
const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = 'bench-client-secret-0123456789abcdef';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN };
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;

interface Workers {
  /** Starts every process's callers at the same moment; resolves with each process's report. */
  round(): Promise<WorkerReport[]>;
  stop(): void;
}

async function startWorkers(env: NodeJS.ProcessEnv): Promise<Workers> {
  const children = Array.from({ length: PROCESSES }, () =>
    fork(new URL('./refresh-worker.ts', import.meta.url).pathname, [], {
      env: { ...env, BENCH_CALLS: String(CALLERS / PROCESSES) },
      execArgv: ['--import', './scripts/register.mjs', '--no-warnings'],
    }),
  );
  const nextMessage = (child: ChildProcess) =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  await Promise.all(children.map(nextMessage)); // 'ready'
  return {
    async round() {
      const reports = children.map(nextMessage);
      for (const child of children) child.send('go');
      return (await Promise.all(reports)) as WorkerReport[];
    },
    stop() {
      for (const child of children) child.send('exit');
    },
  };
}

async function main(): Promise<void> {
  const name = `bench_refresh_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${name}`;
  const oidc = await startOidcServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl.toString(),
    GOOGLE_CLIENT_ID: CLIENT_ID,
    GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
    GOOGLE_AUTHORIZATION_URL: `${oidc.issuer}/auth`,
    GOOGLE_TOKEN_URL: `${oidc.issuer}/token`,
    GOOGLE_REVOCATION_URL: `${oidc.issuer}/token/revocation`,
    ALLOWED_REDIRECT_URIS: REDIRECT_URI,
    INTEGRATION_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('hex')}`,
  };
  const config = loadConfig(env);
  const database = await createDatabase({ databaseUrl: config.databaseUrl });
  const pubsub = new InMemoryPubSub();
  try {
    const connections = new ConnectionService({ database, cipher: createTokenCipher(createKeyRing(config.encryptionKeys)), pubsub, config });
    const principal = { userId: 'bench', organizationId: randomUUID(), roles: ['admin'] };
    const { authorizationUrl } = await connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const integration = await connections.completeConnectionFromCallback(await oidc.authorize(authorizationUrl));
    const workerEnv = { ...env, BENCH_INTEGRATION_ID: integration.id };

    const workers = await startWorkers(workerEnv);
    await workers.round(); // warm-up: JIT and the pools' first connections
    const fresh = await workers.round();
    const refreshesBefore = oidc.refreshRequests().length;
    await database.asSystem((em) =>
      em.execute("update integrations set token_expires_at = now() - interval '1 minute' where id = ?", [integration.id]),
    );
    const expired = await workers.round();
    workers.stop();
    const refreshes = oidc.refreshRequests().length - refreshesBefore;

    const freshLatency = summary(fresh.flatMap((report) => report.latenciesMs));
    const expiredLatency = summary(expired.flatMap((report) => report.latenciesMs));
    const errors = [...fresh, ...expired].flatMap((report) => report.errors);
    const tokens = new Set(expired.flatMap((report) => report.tokenDigests));
    console.log(`refresh benchmark: ${CALLERS} concurrent callers over ${PROCESSES} processes (own ORM + pool each)`);
    console.log(`  refresh requests seen by the token endpoint: ${refreshes} (must be 1)`);
    console.log(`  distinct access tokens handed out after expiry, over both processes: ${tokens.size} (must be 1)`);
    console.log(`  errors: ${errors.length}${errors.length ? ` (${[...new Set(errors)].join('; ')})` : ''}`);
    console.log(`  fresh token   latency: p50 ${ms(freshLatency.p50)}, p95 ${ms(freshLatency.p95)}, max ${ms(freshLatency.max)}`);
    console.log(`  expired token latency: p50 ${ms(expiredLatency.p50)}, p95 ${ms(expiredLatency.p95)}, max ${ms(expiredLatency.max)}`);
    console.log(
      `  added by the refresh:  p50 ${ms(expiredLatency.p50 - freshLatency.p50)}, p95 ${ms(expiredLatency.p95 - freshLatency.p95)}, max ${ms(expiredLatency.max - freshLatency.max)}`,
    );
    if (refreshes !== 1 || tokens.size !== 1 || errors.length > 0) process.exitCode = 1;
  } finally {
    await pubsub.close();
    await database.close();
    await oidc.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
