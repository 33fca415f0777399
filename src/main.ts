import { createApp } from './app.js';
import { DEMO_ORGANIZATION_ID, mintDevelopmentToken } from './auth/development-token.js';
import { ConfigError, loadConfig } from './config.js';
import { withDevelopmentSecrets } from './development-secrets.js';
import { createLogger } from './logger.js';

/** How long shutdown may take before the process exits anyway (an orchestrator kills at ~30 s). */
const SHUTDOWN_TIMEOUT_MS = 25_000;

async function main(): Promise<void> {
  let config;
  try {
    config = await withDevelopmentSecrets(loadConfig());
  } catch (error) {
    if (error instanceof ConfigError) {
      // Before a logger exists: one plain line that names the variable, then a failing exit.
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const app = await createApp(config, { logger });
  const url = await app.listen(config.port);
  logger.info({ url: `${url}/graphql`, publicUrl: config.publicUrl, nodeEnv: config.nodeEnv }, 'integrations subgraph listening');

  if (config.auth.development) {
    const token = await mintDevelopmentToken(config.auth);
    // Deliberately printed: this is the demo organization's admin token of a development
    // instance, made so a developer can query it at once (the UI fetches its own).
    logger.info({ organizationId: DEMO_ORGANIZATION_ID }, 'development mode: use this token as "Authorization: Bearer <token>"');
    process.stdout.write(`\nDevelopment token (demo organization, admin):\n\n  ${token}\n\n`);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a library using signal-exit re-raises the signal when it believes it is the
  // last listener, which would kill the process in the middle of draining.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
