import { ConfigError, loadConfig } from './config.js';
import { createDatabase } from './db/database.js';
import { withDevelopmentSecrets } from './development-secrets.js';
import { createLogger } from './logger.js';
import { InMemoryPubSub } from './pubsub/in-memory-pubsub.js';
import { RedisPubSub } from './pubsub/redis-pubsub.js';
import { configuredPipelineOptions } from './webhooks/pipeline-settings.js';
import { createWebhookPipeline } from './webhooks/webhook-pipeline.js';

/** Longer than the queue's own shutdown wait, shorter than an orchestrator's kill (~30 s). */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * `npm run worker`: the webhook queue worker alone, for scaling processing apart from the HTTP
 * instances (which also run one unless told not to). It shares the database (and Redis) with
 * them, so it needs DATABASE_URL: the embedded database belongs to one process. Progress reaches
 * subscribers of every instance only through Redis pub/sub.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = await withDevelopmentSecrets(loadConfig());
    if (!config.databaseUrl) throw new ConfigError('DATABASE_URL', 'a separate worker needs a shared PostgreSQL; the embedded one belongs to the server process');
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel }).child({ component: 'webhook-worker' });
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  if (!config.redisUrl) logger.warn({}, 'REDIS_URL is not set: events are processed, but subscribers on the server instances will not see their progress');
  const pubsub = config.redisUrl ? new RedisPubSub({ url: config.redisUrl, logger }) : new InMemoryPubSub();
  const pipeline = createWebhookPipeline({
    database,
    pubsub,
    ...configuredPipelineOptions(config),
    logger,
  });
  await pipeline.startWorker();
  logger.info({ backend: pipeline.queue.backendKind, concurrency: config.webhooks.workerConcurrency }, 'webhook worker started');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'webhook worker stopping: finishing or releasing in-flight events');
    setTimeout(() => {
      logger.error({}, 'shutdown timed out; exiting (unfinished events return after their lease)');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    (async () => {
      await pipeline.close();
      await pubsub.close();
      await database.close();
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
