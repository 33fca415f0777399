import { ConfigError, loadConfig, type Config } from './config.js';
import { withDevelopmentSecrets } from './development-secrets.js';

/**
 * The configuration of a starting process (development secrets filled in), checked by `require`
 * when given. A bad value ends the process before any logger exists: one plain line that names
 * the variable, and exit code 78 (EX_CONFIG).
 */
export async function loadStartupConfig(require?: (config: Config) => void): Promise<Config> {
  try {
    const config = await withDevelopmentSecrets(loadConfig());
    require?.(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
