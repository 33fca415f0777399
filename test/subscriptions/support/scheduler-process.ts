// A service instance reduced to its subscription scheduler, in a child process of its own, for
// the crash test: it is killed with SIGKILL in the middle of a provider call. Its environment
// comes as JSON in argv (the variables a deployment would set).
import { loadConfig } from '../../../src/config.js';
import { TokenManager } from '../../../src/connections/token-manager.js';
import { createKeyRing, createTokenCipher } from '../../../src/crypto/index.js';
import { createDatabase } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';
import { InMemoryPubSub } from '../../../src/pubsub/in-memory-pubsub.js';
import { createProviderSubscriptions } from '../../../src/subscriptions/provider-subscriptions.js';

const config = loadConfig(JSON.parse(process.argv[2]!) as NodeJS.ProcessEnv);
const database = await createDatabase({ databaseUrl: config.databaseUrl, migrate: false });
const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
const pubsub = new InMemoryPubSub();
const tokens = new TokenManager({ database, cipher, pubsub, config });
const subscriptions = createProviderSubscriptions({
  database,
  cipher,
  pubsub,
  config,
  withAccessToken: (integrationId, call) => tokens.withAccessToken(integrationId, call),
  logger: createLogger({ level: 'silent' }),
});
subscriptions.start();
process.stdout.write('ready\n');
