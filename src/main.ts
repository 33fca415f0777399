import { createApp } from './app.js';
import { DEMO_ORGANIZATION_ID, mintDevelopmentToken } from './auth/development-token.js';
import { createLogger } from './logger.js';
import { shutDownOnSignals } from './signal-shutdown.js';
import { exitAfterFailedStart, loadStartupConfig } from './startup-config.js';

async function main(): Promise<void> {
  const config = await loadStartupConfig();
  const logger = createLogger({ level: config.logLevel });
  const shutdown = shutDownOnSignals({ logger });
  const app = await createApp(config, { logger });
  shutdown.closeWith(() => app.close());
  if (shutdown.requested) return; // stopped while starting: never listen
  const url = await app.listen(config.port);
  logger.info({ url: `${url}/graphql`, publicUrl: config.publicUrl, nodeEnv: config.nodeEnv }, 'integrations subgraph listening');

  if (config.auth.development) {
    const token = await mintDevelopmentToken(config.auth);
    // Deliberately printed: this is the demo organization's admin token of a development
    // instance, made so a developer can query it at once (the UI fetches its own).
    logger.info({ organizationId: DEMO_ORGANIZATION_ID }, 'development mode: use this token as "Authorization: Bearer <token>"');
    process.stdout.write(`\nDevelopment token (demo organization, admin):\n\n  ${token}\n\n`);
  }
}

main().catch((error: unknown) => exitAfterFailedStart(error));
