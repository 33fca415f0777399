import type { Config } from '../config.js';
import type { DatabaseOptions } from './database.js';

/**
 * The `createDatabase` options that come from configuration: the server, the standalone worker
 * and the migration script must open the database alike (same database, same timeouts).
 */
export function configuredDatabaseOptions(config: Config): Pick<DatabaseOptions, 'databaseUrl' | 'createIfMissing' | 'dataDir' | 'timeouts'> {
  return {
    databaseUrl: config.databaseUrl,
    createIfMissing: config.databaseCreate,
    dataDir: config.dataDir,
    timeouts: config.databaseTimeouts,
  };
}
