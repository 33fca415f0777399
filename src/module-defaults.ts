import type { Config } from './config.js';
import { configureEncryption } from './crypto/encrypt.js';
import { configureProviderClients } from './providers/clients/default-providers.js';

/**
 * Gives the seed's module-level API the deployment's configuration: `encrypt`/`decrypt` its key
 * ring, and `googleClient`, `slackClient`, `microsoftClient` and `asanaClient` its credentials and
 * endpoint overrides. Both composition roots call it (the server's and the worker's), so server
 * code and webhook handlers that import those see the same configuration in either process.
 */
export function configureModuleDefaults(config: Config): void {
  if (config.encryptionKeys.length === 0) {
    throw new Error('no encryption key: set INTEGRATION_ENCRYPTION_KEY, or call withDevelopmentSecrets(config) outside production');
  }
  configureEncryption(config.encryptionKeys);
  configureProviderClients(config);
}
