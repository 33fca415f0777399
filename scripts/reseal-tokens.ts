/**
 * `npm run reseal-tokens`: re-seals every stored OAuth token and webhook endpoint secret with the
 * current encryption key (the first of INTEGRATION_ENCRYPTION_KEYS). Run it after putting a new
 * key first; once a run reports 0 re-sealed, nothing stored needs the old key and it can be
 * removed from the ring. Pending OAuth states (10 minutes) are not re-sealed: keep the old key in
 * the ring for 10 minutes after rotating.
 */
import { ConfigError, loadConfig } from '../src/config.js';
import { resealTokens } from '../src/connections/token-resealer.js';
import { createKeyRing } from '../src/crypto/key-ring.js';
import { createTokenCipher } from '../src/crypto/token-sealing.js';
import { createDatabase } from '../src/db/database.js';
import { withDevelopmentSecrets } from '../src/development-secrets.js';

async function main(): Promise<void> {
  const config = await withDevelopmentSecrets(loadConfig());
  const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, timeouts: config.databaseTimeouts });
  try {
    const started = Date.now();
    const key = cipher.keyRing.current.id;
    const resealed = { integrations: 0, webhookEndpoints: 0 };
    const count = await resealTokens(database, cipher, {
      onProgress: ({ integrations, webhookEndpoints }) => {
        resealed.integrations = integrations.done;
        resealed.webhookEndpoints = webhookEndpoints.done;
        process.stderr.write(
          `\rre-sealing with key "${key}": ${integrations.done}/${integrations.total} integrations, ` +
            `${webhookEndpoints.done}/${webhookEndpoints.total} webhook endpoint secrets`,
        );
      },
    });
    process.stderr.write(
      `\ndone: ${count} rows re-sealed (${resealed.integrations} integrations, ${resealed.webhookEndpoints} webhook endpoint secrets) ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  // Only the message: a stack could carry row data; a ConfigError names the variable at fault.
  process.stderr.write(`\nre-sealing failed: ${error instanceof ConfigError || error instanceof Error ? error.message : 'unknown error'}\n`);
  process.exit(1);
});
