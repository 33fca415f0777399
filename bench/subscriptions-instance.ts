// One service instance reduced to its provider-subscription scheduler, for bench/subscriptions.ts:
// the same composition as src/app.ts (TokenManager, createProviderSubscriptions) on the bench's
// database, with the environment given as JSON in argv. Prints `ready`, then runs until killed.
import { loadConfig } from '../src/config.js';
import { TokenManager } from '../src/connections/token-manager.js';
import { createKeyRing, createTokenCipher } from '../src/crypto/index.js';
import { createDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { InMemoryPubSub } from '../src/pubsub/in-memory-pubsub.js';
import { createProviderSubscriptions } from '../src/subscriptions/provider-subscriptions.js';

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
