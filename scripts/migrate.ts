// `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database under
// DATA_DIR), one log line per migration. The server also migrates at start-up; this is for
// deployments that migrate as a separate step.
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/database.js';
import { configuredDatabaseOptions } from '../src/db/configured-database-options.js';
import { createLogger } from '../src/logger.js';
import { exitAfterFailedStart } from '../src/startup-config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const database = await createDatabase({
    ...configuredDatabaseOptions(config),
    logger,
    migrate: false,
  });
  try {
    const applied = await database.migrate();
    logger.info({ applied: applied.length }, applied.length ? 'migrations applied' : 'database is up to date');
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => exitAfterFailedStart(error, 'migration'));
