import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig, type Config } from '../../src/config.js';
import { DEVELOPMENT_ENCRYPTION_KEY_ID, withDevelopmentSecrets } from '../../src/development-secrets.js';
import { configError } from './support/config-error.js';

const KEY_HEX = 'ab'.repeat(32);
const KEY_BASE64 = Buffer.alloc(32, 7).toString('base64');
const PRODUCTION = { NODE_ENV: 'production', AUTH_JWT_SECRET: 's'.repeat(32), INTEGRATION_ENCRYPTION_KEY: KEY_HEX };


describe('loadConfig defaults', () => {
  it('runs with an empty environment in development, with the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      production: false,
      port: 4001,
      publicUrl: 'http://localhost:4001',
      uiUrl: 'http://localhost:4001/',
      oauthCallbackMode: 'complete',
      databaseUrl: undefined,
      databaseCreate: false,
      databaseTimeouts: { connectMs: 5000, statementMs: 10_000 },
      redisUrl: undefined,
      redisPrefix: 'integrations',
      host: undefined,
      dataDir: '.data',
      encryptionKeys: [],
      allowedRedirectUris: ['http://localhost:4001/oauth/callback'],
      logLevel: 'info',
      webhooks: { workerConcurrency: 8, maxAttempts: 8 },
      proxy: { maxRequestBodyBytes: 10 * 1024 * 1024, timeoutMs: 30_000, forwardHeaders: [] },
      auth: { jwtSecret: undefined, jwksUrl: undefined, orgClaim: 'org', verifiedTokenCacheSeconds: 30, development: false },
      http: { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5000, maxConnections: 10_000 },
    });
    expect(config.providers.microsoft?.params).toEqual({ tenant: 'common' });
    expect(config.providers.google).toMatchObject({ clientId: undefined, clientSecret: undefined, params: {} });
  });

  it('reads the provider proxy’s limits and extra headers', () => {
    const config = loadConfig({ PROXY_MAX_REQUEST_BODY_MB: '64', PROXY_TIMEOUT_SECONDS: '120', PROXY_FORWARD_HEADERS: 'X-Tenant, x-tenant , Box-API' });
    expect(config.proxy).toEqual({ maxRequestBodyBytes: 64 * 1024 * 1024, timeoutMs: 120_000, forwardHeaders: ['x-tenant', 'box-api'] });
  });

  it('reads the database timeouts and the HTTP server limits; a headers timeout beyond the request timeout is refused', () => {
    const config = loadConfig({
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      HTTP_MAX_CONNECTIONS: '20',
    });
    expect(config.databaseTimeouts).toEqual({ connectMs: 2000, statementMs: 30_000 });
    // The headers timeout follows a request timeout set below its default.
    expect(config.http).toEqual({ requestTimeoutMs: 5000, headersTimeoutMs: 5000, keepAliveTimeoutMs: 65_000, maxConnections: 20 });
    expect(configError({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }).variable).toBe('HTTP_HEADERS_TIMEOUT_MS');
    expect(configError({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }).variable).toBe('DATABASE_STATEMENT_TIMEOUT_MS');
  });

  it('derives the redirect allow-list and UI URL from PUBLIC_URL', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://integrations.example.com/' });
    expect(config.publicUrl).toBe('https://integrations.example.com');
    expect(config.allowedRedirectUris).toEqual(['https://integrations.example.com/oauth/callback']);
    expect(config.uiUrl).toBe('https://integrations.example.com/');
  });

  it('reads every provider variable', () => {
    const config = loadConfig({
      SLACK_CLIENT_ID: 'id',
      SLACK_CLIENT_SECRET: 'secret',
      SLACK_SIGNING_SECRET: 'signing',
      SLACK_TOKEN_URL: 'http://127.0.0.1:9/token',
      SLACK_AUTHORIZATION_URL: 'http://127.0.0.1:9/authorize',
      SLACK_API_BASE_URL: 'http://127.0.0.1:9/api/',
      SLACK_REVOCATION_URL: 'http://127.0.0.1:9/revoke',
      SLACK_ISSUER: 'https://issuer.test/',
      MICROSOFT_TENANT: 'contoso.onmicrosoft.com',
      ALLOWED_REDIRECT_URIS: 'http://a.test/cb, http://b.test/cb',
      AUTH_ORG_CLAIM: 'https://example.com/org',
      AUTH_VERIFIED_TOKEN_CACHE_SECONDS: '0',
      WEBHOOK_WORKER_CONCURRENCY: '3',
      WEBHOOK_MAX_ATTEMPTS: '5',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      REDIS_PREFIX: 'staging-integrations',
      DATABASE_URL: 'postgresql://app@db:5432/integrations',
      DATABASE_CREATE: 'true',
      HOST: '0.0.0.0',
    });
    expect(config).toMatchObject({ redisPrefix: 'staging-integrations', databaseCreate: true, host: '0.0.0.0' });
    expect(config.auth).toMatchObject({ orgClaim: 'https://example.com/org', verifiedTokenCacheSeconds: 0 });
    expect(config.providers.slack).toMatchObject({
      clientId: 'id',
      clientSecret: 'secret',
      signingSecret: 'signing',
      tokenUrl: 'http://127.0.0.1:9/token',
      authorizationUrl: 'http://127.0.0.1:9/authorize',
      apiBaseUrl: 'http://127.0.0.1:9/api',
      revocationUrl: 'http://127.0.0.1:9/revoke',
      // Compared as it is, so kept as given.
      issuer: 'https://issuer.test/',
    });
    expect(config.providers.microsoft?.params).toEqual({ tenant: 'contoso.onmicrosoft.com' });
    expect(config.allowedRedirectUris).toEqual(['http://a.test/cb', 'http://b.test/cb']);
    expect(config.auth.orgClaim).toBe('https://example.com/org');
    expect(config.webhooks).toEqual({ workerConcurrency: 3, maxAttempts: 5 });
  });
});

describe('encryption keys', () => {
  it.each([
    ['64 hex digits', KEY_HEX, Buffer.from(KEY_HEX, 'hex')],
    ['base64 of 32 bytes', KEY_BASE64, Buffer.alloc(32, 7)],
    ['base64url of 32 bytes', Buffer.alloc(32, 250).toString('base64url'), Buffer.alloc(32, 250)],
    ['a 32-character secret', 'your-32-char-secret-key-12345678', Buffer.from('your-32-char-secret-key-12345678')],
  ])('accepts %s', (_format, value, expected) => {
    const [key] = loadConfig({ INTEGRATION_ENCRYPTION_KEY: value }).encryptionKeys;
    expect(key?.id).toBe('default');
    expect(key?.key.equals(expected)).toBe(true);
  });

  it('reads a key ring whose first key seals, keeping the single key able to open', () => {
    const config = loadConfig({ INTEGRATION_ENCRYPTION_KEYS: `k2:${KEY_BASE64},k1:${KEY_HEX}`, INTEGRATION_ENCRYPTION_KEY: 'x'.repeat(32) });
    expect(config.encryptionKeys.map((key) => key.id)).toEqual(['k2', 'k1', 'default']);
  });

  it.each([
    ['too short', { INTEGRATION_ENCRYPTION_KEY: 'short' }, 'INTEGRATION_ENCRYPTION_KEY'],
    ['31 bytes of hex', { INTEGRATION_ENCRYPTION_KEY: 'ab'.repeat(31) }, 'INTEGRATION_ENCRYPTION_KEY'],
    ['a ring entry without an id', { INTEGRATION_ENCRYPTION_KEYS: KEY_HEX }, 'INTEGRATION_ENCRYPTION_KEYS'],
    ['a ring key of the wrong size', { INTEGRATION_ENCRYPTION_KEYS: 'k1:abcd' }, 'INTEGRATION_ENCRYPTION_KEYS'],
    ['a ring id used twice', { INTEGRATION_ENCRYPTION_KEYS: `k1:${KEY_HEX},k1:${KEY_BASE64}` }, 'INTEGRATION_ENCRYPTION_KEYS'],
  ])('refuses %s, naming the variable and never the key', (_case, env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}:`)).toBe(true);
    expect(error.message).not.toContain(KEY_HEX);
    expect(error.message).not.toContain('abcd');
  });
});

describe('bad values name their variable', () => {
  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'not a url'],
    ['PUBLIC_URL', 'ftp://example.com'],
    ['UI_URL', 'nope'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_PREFIX', 'has:colon'],
    ['REDIS_PREFIX', 'glob*'],
    ['REDIS_PREFIX', 'x'.repeat(65)],
    ['DATABASE_CREATE', 'yes please'],
    ['HOST', 'not a host'],
    ['HOST', 'http://0.0.0.0'],
    ['ALLOWED_REDIRECT_URIS', 'http://ok.test/cb,not-a-url'],
    ['GOOGLE_TOKEN_URL', 'token'],
    ['ASANA_AUTHORIZATION_URL', '//missing-scheme'],
    ['MICROSOFT_API_BASE_URL', 'graph'],
    ['SLACK_REVOCATION_URL', 'revoke'],
    ['GOOGLE_ISSUER', 'accounts.google.com'],
    ['MICROSOFT_TENANT', 'bad tenant/../x'],
    ['AUTH_JWKS_URL', 'jwks'],
    ['AUTH_JWT_SECRET', 'too-short'],
    ['AUTH_ORG_CLAIM', 'has spaces in it'],
    ['AUTH_VERIFIED_TOKEN_CACHE_SECONDS', '-1'],
    ['AUTH_VERIFIED_TOKEN_CACHE_SECONDS', '301'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['OAUTH_CALLBACK_MODE', 'redirect'],
    ['WEBHOOK_WORKER_CONCURRENCY', '0'],
    ['WEBHOOK_WORKER_CONCURRENCY', 'many'],
    ['WEBHOOK_MAX_ATTEMPTS', '-1'],
    ['WEBHOOK_MAX_ATTEMPTS', '2.5'],
    ['PROXY_MAX_REQUEST_BODY_MB', '0'],
    ['PROXY_TIMEOUT_SECONDS', 'soon'],
    ['PROXY_FORWARD_HEADERS', 'x-ok,not a header'],
  ])('%s=%j', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
  });

  it('names the missing half of a provider credential pair', () => {
    expect(configError({ GOOGLE_CLIENT_ID: 'id' }).variable).toBe('GOOGLE_CLIENT_SECRET');
    expect(configError({ ASANA_CLIENT_SECRET: 'secret' }).variable).toBe('ASANA_CLIENT_ID');
  });

  it('refuses both AUTH_JWT_SECRET and AUTH_JWKS_URL', () => {
    expect(configError({ AUTH_JWT_SECRET: 's'.repeat(32), AUTH_JWKS_URL: 'https://idp.test/jwks' }).variable).toBe('AUTH_JWT_SECRET');
  });
});

describe('production', () => {
  it('starts with auth and an encryption key', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.production).toBe(true);
    expect(config.auth.jwtSecret).toBe('s'.repeat(32));
  });

  it('accepts JWKS instead of a shared secret', () => {
    const { AUTH_JWT_SECRET: _secret, ...rest } = PRODUCTION;
    expect(loadConfig({ ...rest, AUTH_JWKS_URL: 'https://idp.test/.well-known/jwks.json' }).auth.jwksUrl).toBe(
      'https://idp.test/.well-known/jwks.json',
    );
  });

  it('refuses to start without auth configuration', () => {
    const { AUTH_JWT_SECRET: _secret, ...env } = PRODUCTION;
    const error = configError(env);
    expect(error.variable).toBe('AUTH_JWT_SECRET');
    expect(error.message).toContain('AUTH_JWKS_URL');
  });

  it('refuses to start without an encryption key', () => {
    const { INTEGRATION_ENCRYPTION_KEY: _key, ...env } = PRODUCTION;
    expect(configError(env).variable).toBe('INTEGRATION_ENCRYPTION_KEY');
  });
});

describe('development secrets', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });
  const tempDir = async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'dev-secrets-'));
    directories.push(directory);
    return path.join(directory, 'data');
  };

  it('makes a JWT secret and an encryption key once, kept 0600, and reuses them after a restart', async () => {
    const dataDir = await tempDir();
    const first = await withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir }));
    expect(first.auth.development).toBe(true);
    expect(first.auth.jwtSecret?.length).toBeGreaterThanOrEqual(32);
    expect(first.encryptionKeys).toHaveLength(1);
    expect(first.encryptionKeys[0]!.id).toBe(DEVELOPMENT_ENCRYPTION_KEY_ID);
    expect(first.encryptionKeys[0]!.key).toHaveLength(32);

    const file = path.join(dataDir, 'development-secrets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain(first.auth.jwtSecret!);

    const second = await withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir }));
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(second.encryptionKeys[0]!.key.equals(first.encryptionKeys[0]!.key)).toBe(true);
  });

  it('leaves configured secrets alone and does not write a file', async () => {
    const dataDir = await tempDir();
    const config: Config = loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: 'q'.repeat(40), INTEGRATION_ENCRYPTION_KEY: KEY_HEX });
    expect(await withDevelopmentSecrets(config)).toBe(config);
    await expect(stat(dataDir)).rejects.toThrow();
  });

  it('fills only what is missing', async () => {
    const dataDir = await tempDir();
    const config = await withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir, INTEGRATION_ENCRYPTION_KEY: KEY_HEX }));
    expect(config.encryptionKeys.map((key) => key.id)).toEqual(['default']);
    expect(config.auth.development).toBe(true);
  });

  it('never makes secrets in production', async () => {
    const config = loadConfig({ ...PRODUCTION, DATA_DIR: await tempDir() });
    expect(await withDevelopmentSecrets(config)).toBe(config);
  });
});
