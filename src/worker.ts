import { ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { shutDownOnSignals } from './signal-shutdown.js';
import { exitAfterFailedStart, loadStartupConfig } from './startup-config.js';
import { startWebhookWorker } from './webhook-worker.js';

/**
 * `npm run worker`: the webhook queue worker alone, for scaling processing apart from the HTTP
 * instances (which also run one unless told not to), with the built-in handlers. A deployment
 * with handlers of its own runs an entry like this one that passes them to `startWebhookWorker`.
 */
async function main(): Promise<void> {
  const config = await loadStartupConfig((loaded) => {
    if (!loaded.databaseUrl) throw new ConfigError('DATABASE_URL', 'a separate worker needs a shared PostgreSQL; the embedded one belongs to the server process');
  });
  const logger = createLogger({ level: config.logLevel }).child({ component: 'webhook-worker' });
  const shutdown = shutDownOnSignals({
    logger,
    stoppingMessage: 'webhook worker stopping: finishing or releasing in-flight events',
    timedOutMessage: 'shutdown timed out; exiting (unfinished events return after their lease)',
  });
  const worker = await startWebhookWorker(config, { logger });
  shutdown.closeWith(() => worker.close());
}

main().catch((error: unknown) => exitAfterFailedStart(error, 'worker start-up'));
