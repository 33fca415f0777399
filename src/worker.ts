import { ConfigError } from './config.js';
import { createDatabase } from './db/database.js';
import { createLogger } from './logger.js';
import { configureModuleDefaults } from './module-defaults.js';
import { InMemoryPubSub } from './pubsub/in-memory-pubsub.js';
import { RedisPubSub } from './pubsub/redis-pubsub.js';
import { configuredPipelineOptions } from './webhooks/pipeline-settings.js';
import { shutDownOnSignals } from './signal-shutdown.js';
import { loadStartupConfig } from './startup-config.js';
import { createWebhookPipeline } from './webhooks/webhook-pipeline.js';

/**
 * `npm run worker`: the webhook queue worker alone, for scaling processing apart from the HTTP
 * instances (which also run one unless told not to). It shares the database (and Redis) with
 * them, so it needs DATABASE_URL: the embedded database belongs to one process. Progress reaches
 * subscribers of every instance only through Redis pub/sub.
 */
async function main(): Promise<void> {
  const config = await loadStartupConfig((loaded) => {
    if (!loaded.databaseUrl) throw new ConfigError('DATABASE_URL', 'a separate worker needs a shared PostgreSQL; the embedded one belongs to the server process');
  });
  configureModuleDefaults(config);
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

  shutDownOnSignals({
    logger,
    stoppingMessage: 'webhook worker stopping: finishing or releasing in-flight events',
    timedOutMessage: 'shutdown timed out; exiting (unfinished events return after their lease)',
    close: async () => {
      await pipeline.close();
      await pubsub.close();
      await database.close();
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`worker start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
