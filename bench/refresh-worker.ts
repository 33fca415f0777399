/**
 * One process of `bench/refresh.ts`: its own ORM instance and pool on the shared database, its
 * own TokenManager. On each "go" it runs BENCH_CALLS concurrent `withAccessToken` calls on the
 * integration and reports each call's latency and the tokens it got; "exit" ends it.
 */
import { createHash } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { TokenManager } from '../src/connections/token-manager.js';
import { createKeyRing } from '../src/crypto/key-ring.js';
import { createTokenCipher } from '../src/crypto/token-sealing.js';
import { createDatabase } from '../src/db/database.js';
import { InMemoryPubSub } from '../src/pubsub/in-memory-pubsub.js';

export interface WorkerReport {
  latenciesMs: number[];
  /** SHA-256 prefixes of the tokens handed out (never the tokens themselves). */
  tokenDigests: string[];
  errors: string[];
}

const config = loadConfig(process.env);
const database = await createDatabase({ databaseUrl: config.databaseUrl, migrate: false });
const pubsub = new InMemoryPubSub();
const tokens = new TokenManager({ database, cipher: createTokenCipher(createKeyRing(config.encryptionKeys)), pubsub, config });
const integrationId = process.env.BENCH_INTEGRATION_ID!;
const calls = Number(process.env.BENCH_CALLS ?? 100);

process.on('message', async (message) => {
  if (message === 'exit') {
    await pubsub.close();
    await database.close();
    process.exit(0);
  }
  if (message !== 'go') return;
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  await Promise.all(
    Array.from({ length: calls }, async () => {
      const started = performance.now();
      try {
        seen.add(await tokens.withAccessToken(integrationId, async (token) => token));
        latenciesMs.push(performance.now() - started);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }),
  );
  const tokenDigests = [...seen].map((token) => createHash('sha256').update(token).digest('hex').slice(0, 12));
  const report: WorkerReport = { latenciesMs, tokenDigests, errors };
  process.send!(report);
});
process.send!('ready');
