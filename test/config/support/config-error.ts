import { ConfigError, loadConfig } from '../../../src/config.js';

/** The ConfigError `loadConfig` throws for `env`, or a failure when it throws none. */
export function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
