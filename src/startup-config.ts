import { ConfigError, loadConfig, type Config } from './config.js';
import { withDevelopmentSecrets } from './development-secrets.js';

/** Exit code of a process stopped by its configuration (EX_CONFIG, sysexits.h). */
const EX_CONFIG = 78;

/**
 * The configuration of a starting process (development secrets filled in), checked by `require`
 * when given. A bad value ends the process before any logger exists (`exitAfterFailedStart`).
 */
export async function loadStartupConfig(require?: (config: Config) => void): Promise<Config> {
  try {
    const config = await withDevelopmentSecrets(loadConfig());
    require?.(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) exitAfterFailedStart(error);
    throw error;
  }
}

/**
 * Ends a process whose start failed with one plain line, never a stack (it could carry row data).
 * A configuration error, found while reading the environment or later (a `DATABASE_URL` naming a
 * database that does not exist), names the variable and exits 78 (EX_CONFIG); anything else, 1.
 */
export function exitAfterFailedStart(error: unknown, what = 'start-up'): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(EX_CONFIG);
  }
  process.stderr.write(`${what} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
