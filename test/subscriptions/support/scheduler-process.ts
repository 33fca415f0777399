// A service instance reduced to its provider-subscription scheduler, in a process of its own:
// the crash test kills it with SIGKILL in the middle of a provider call, and
// bench/subscriptions.ts runs two of them. The same composition as src/app.ts (TokenManager,
// createProviderSubscriptions); the environment comes as JSON in argv. Prints `ready`.
import { loadConfig } from '../../../src/config.js';
import { TokenManager } from '../../../src/connections/token-manager.js';
import { createKeyRing, createTokenCipher } from '../../../src/crypto/index.js';
import { createDatabase } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';
import { InMemoryPubSub } from '../../../src/pubsub/in-memory-pubsub.js';
import { createProviderSubscriptions } from '../../../src/subscriptions/provider-subscriptions.js';

const config = loadConfig(JSON.parse(process.argv[2]!) as NodeJS.ProcessEnv);
const database = await createDatabase({ databaseUrl: config.databaseUrl, migrate: false, poolSize: 20 });
const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
const pubsub = new InMemoryPubSub();
const tokens = new TokenManager({ database, cipher, pubsub, config });
const subscriptions = createProviderSubscriptions({
  database,
  cipher,
  pubsub,
  config,
  withAccessToken: (integrationId, call) => tokens.withAccessToken(integrationId, call),
  logger: createLogger({ level: config.logLevel }),
});
subscriptions.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await subscriptions.close();
    await database.close();
    process.exit(0);
  })();
});
