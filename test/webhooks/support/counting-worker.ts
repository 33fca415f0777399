// A webhook worker child process for the crash tests: processes `acme` events with a handler
// that records its side effect (after a short pause, so a kill -9 lands mid-batch).
import { randomBytes } from 'node:crypto';
import { createKeyRing, createTokenCipher } from '../../../src/crypto/index.js';
import { createDatabase } from '../../../src/db/database.js';
import { InMemoryPubSub } from '../../../src/pubsub/in-memory-pubsub.js';
import { createWebhookPipeline } from '../../../src/webhooks/webhook-pipeline.js';
import { recordSideEffect } from './side-effects.js';

export interface CountingWorkerOptions {
  databaseUrl: string;
  redisUrl?: string;
  queueName: string;
  prefix: string;
  /** @default the pipeline's default lease */
  leaseMs?: number;
  handlerDelayMs: number;
}

const options = JSON.parse(process.argv[2]!) as CountingWorkerOptions;
const database = await createDatabase({ databaseUrl: options.databaseUrl, migrate: false });
const pubsub = new InMemoryPubSub();
const pipeline = createWebhookPipeline({
  database,
  pubsub,
  cipher: createTokenCipher(createKeyRing([{ id: 'child', key: randomBytes(32) }])),
  redisUrl: options.redisUrl,
  bullmq: { queueName: options.queueName, prefix: options.prefix },
  ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
  concurrency: 8,
  pollIntervalMs: 100,
  sweepIntervalMs: 250,
  overdueGraceMs: 500,
  retry: { scheduleMs: [100], jitter: 0 },
});
pipeline.handlers.on('acme', '*', async (webhook, context) => {
  await new Promise((resolve) => setTimeout(resolve, options.handlerDelayMs));
  await recordSideEffect(webhook, context);
});
await pipeline.startWorker();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await pipeline.close();
    await database.close();
    process.exit(0);
  })();
});
