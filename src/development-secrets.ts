import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, type Config } from './config.js';

/** The id under which the development encryption key seals tokens. */
export const DEVELOPMENT_ENCRYPTION_KEY_ID = 'dev';
const FILE_NAME = 'development-secrets.json';

const storedSecrets = z.object({
  jwtSecret: z.string().min(32),
  encryptionKey: z.string().refine((value) => Buffer.from(value, 'base64').length === 32),
});
type StoredSecrets = z.infer<typeof storedSecrets>;

/** Reads the secrets kept under `dataDir`, creating them (mode 0600) on first use. */
async function loadOrCreate(dataDir: string): Promise<StoredSecrets> {
  const file = path.join(dataDir, FILE_NAME);
  try {
    return storedSecrets.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError('DATA_DIR', `${file} is unreadable or damaged; delete it to make new development secrets`);
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secrets: StoredSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  try {
    // `wx`: when two processes start at once (server + worker), the second one reads the first's file.
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return storedSecrets.parse(JSON.parse(await readFile(file, 'utf8')));
    throw error;
  }
}

/**
 * Development mode: fills what the environment left out (JWT signing secret, token encryption
 * key) from secrets kept under `DATA_DIR`, so tokens sealed and JWTs minted before a restart
 * keep working after it. Production configuration is returned unchanged (`loadConfig` has
 * already refused to run without them).
 */
export async function withDevelopmentSecrets(config: Config): Promise<Config> {
  const needsAuth = config.auth.jwtSecret === undefined && config.auth.jwksUrl === undefined;
  const needsKey = config.encryptionKeys.length === 0;
  if (config.production || (!needsAuth && !needsKey)) return config;
  const secrets = await loadOrCreate(config.dataDir);
  return {
    ...config,
    auth: needsAuth ? { ...config.auth, jwtSecret: secrets.jwtSecret, development: true } : config.auth,
    encryptionKeys: needsKey
      ? [{ id: DEVELOPMENT_ENCRYPTION_KEY_ID, key: Buffer.from(secrets.encryptionKey, 'base64') }]
      : config.encryptionKeys,
  };
}
