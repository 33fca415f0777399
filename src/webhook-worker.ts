import type { Config } from './config.js';
import { createDatabase } from './db/database.js';
import { configuredDatabaseOptions } from './db/configured-database-options.js';
import { createLogger, type Logger } from './logger.js';
import { configureModuleDefaults } from './module-defaults.js';
import { InMemoryPubSub } from './pubsub/in-memory-pubsub.js';
import { RedisPubSub } from './pubsub/redis-pubsub.js';
import type { PubSub } from './pubsub/topics.js';
import type { WebhookHandlerSetup } from './webhooks/handlers/webhook-handler-registry.js';
import { configuredPipelineOptions } from './webhooks/pipeline-settings.js';
import { createWebhookPipeline, type WebhookPipeline } from './webhooks/webhook-pipeline.js';

export interface WebhookWorkerOptions {
  /** @default a logger at `config.logLevel` */
  logger?: Logger;
  /** The deployment's own handlers: the same setup its servers get (see `WebhookHandlerSetup`). */
  webhookHandlers?: WebhookHandlerSetup;
}

export interface WebhookWorker {
  readonly queue: WebhookPipeline['queue'];
  /** Finishes or releases in-flight events, then closes pub/sub and the database pool. */
  close(): Promise<void>;
}

/**
 * A webhook queue worker without the HTTP server (`npm run worker`, or a deployment's own entry
 * that registers its handlers). It shares the database (and Redis) with the servers, so it needs
 * `DATABASE_URL`: the embedded database belongs to one process. Progress reaches subscribers of
 * every instance only through Redis pub/sub.
 */
export async function startWebhookWorker(config: Config, options: WebhookWorkerOptions = {}): Promise<WebhookWorker> {
  if (!config.databaseUrl) throw new Error('a separate webhook worker needs DATABASE_URL: the embedded database belongs to the server process');
  configureModuleDefaults(config);
  const logger = options.logger ?? createLogger({ level: config.logLevel }).child({ component: 'webhook-worker' });
  const database = await createDatabase({
    ...configuredDatabaseOptions(config),
    logger,
  });
  if (!config.redisUrl) logger.warn({}, 'REDIS_URL is not set: events are processed, but subscribers on the server instances will not see their progress');
  const pubsub: PubSub = config.redisUrl ? new RedisPubSub({ url: config.redisUrl, prefix: config.redisPrefix, logger }) : new InMemoryPubSub();
  try {
    const pipeline = createWebhookPipeline({
      database,
      pubsub,
      ...configuredPipelineOptions(config),
      logger,
      handlers: options.webhookHandlers,
    });
    await pipeline.startWorker();
    logger.info({ backend: pipeline.queue.backendKind, concurrency: config.webhooks.workerConcurrency }, 'webhook worker started');
    return {
      queue: pipeline.queue,
      async close() {
        await pipeline.close();
        await pubsub.close();
        await database.close();
      },
    };
  } catch (error) {
    await pubsub.close();
    await database.close();
    throw error;
  }
}
