import { z } from 'zod';
import type { EncryptionKey } from './crypto/key-ring.js';
import { PROVIDER_IDS, type ProviderId } from './providers/provider-ids.js';
import type { ProviderSettings } from './providers/resolve-provider.js';

/** A variable with a bad value (or a missing one production needs). The message names it. */
export class ConfigError extends Error {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** How bearer tokens are verified. Exactly one of `jwtSecret` and `jwksUrl` is set once start-up is done. */
export interface AuthConfig {
  /** HS256 shared secret (`AUTH_JWT_SECRET`); in development made by `withDevelopmentSecrets`. */
  jwtSecret: string | undefined;
  /** JWKS endpoint for RS256/ES256 tokens (`AUTH_JWKS_URL`). */
  jwksUrl: string | undefined;
  /** Required `iss` when set (`AUTH_ISSUER`). */
  issuer: string | undefined;
  /** Required `aud` when set (`AUTH_AUDIENCE`). */
  audience: string | undefined;
  /** Claim carrying the organization id. @default 'org' */
  orgClaim: string;
  /** True when the secret was made by the service itself: it then prints a demo token at start-up. */
  development: boolean;
}

export interface Config {
  nodeEnv: NodeEnv;
  production: boolean;
  /** @default 4001 */
  port: number;
  /** External base URL, without a trailing slash. @default 'http://localhost:4001' */
  publicUrl: string;
  /** Where `/oauth/callback` sends the browser afterwards. @default `${publicUrl}/` */
  uiUrl: string;
  /**
   * What `/oauth/callback` does (`OAUTH_CALLBACK_MODE`): `complete` the connection from the state
   * alone (the contract's default), or `forward` the provider's parameters to the UI, which
   * completes it with `completeConnection` as the signed-in user who started it.
   * @default 'complete'
   */
  oauthCallbackMode: OAuthCallbackMode;
  /** Unset: embedded PostgreSQL (PGlite) under `dataDir`. */
  databaseUrl: string | undefined;
  /** Unset: in-process pub/sub and a queue on the database. */
  redisUrl: string | undefined;
  /** Embedded database files and development secrets. @default '.data' */
  dataDir: string;
  /** Key ring for token sealing; the first key seals. Empty until `withDevelopmentSecrets` in development. */
  encryptionKeys: EncryptionKey[];
  /** Allow-list for `startConnection.redirectUri`. @default [`${publicUrl}/oauth/callback`] */
  allowedRedirectUris: string[];
  providers: Record<ProviderId, ProviderSettings>;
  auth: AuthConfig;
  /** @default 'info' */
  logLevel: LogLevel;
  webhooks: {
    /** Events processed at once per worker. @default 8 */
    workerConcurrency: number;
    /** Attempts before an event is FAILED. @default 8 */
    maxAttempts: number;
  };
  responseCache: {
    /** Memory for cached query answers, in MiB; 0 turns the cache off (`RESPONSE_CACHE_MB`). @default 64 */
    maxMegabytes: number;
    /** Longest a cached answer is served, in seconds (`RESPONSE_CACHE_TTL_SECONDS`). @default 10 */
    ttlSeconds: number;
  };
  subscriptions: SubscriptionsConfig;
}

/** Provider subscriptions: the scheduler that creates, renews, repairs and stops them (src/subscriptions). */
export interface SubscriptionsConfig {
  /** Whether this process runs the scheduler (`SUBSCRIPTION_SCHEDULER=off` leaves it to other instances). @default true */
  scheduler: boolean;
  /** How often an idle scheduler looks for due subscriptions (`SUBSCRIPTION_POLL_INTERVAL_MS`). @default 1000 */
  pollIntervalMs: number;
  /** How long a claimed subscription is owned before another instance may take it over (`SUBSCRIPTION_LEASE_SECONDS`). @default 120 */
  leaseSeconds: number;
  /** Subscriptions one instance works on at once (`SUBSCRIPTION_CONCURRENCY`). @default 16 */
  concurrency: number;
  /** Longest wait between two attempts of a failing subscription, and the pace at which a FAILED one is retried (`SUBSCRIPTION_RETRY_MAX_MINUTES`). @default 60 */
  retryMaxMinutes: number;
  /** How long creation or renewal may keep failing before the subscription shows FAILED (`SUBSCRIPTION_FAIL_AFTER_MINUTES`). @default 30 */
  failAfterMinutes: number;
  /** How often subscriptions without an expiry (Asana webhooks) are checked at the provider (`SUBSCRIPTION_RECONCILE_MINUTES`). @default 60 */
  reconcileMinutes: number;
  /** Requests per second to each provider before the shared pace has learned the provider's limit (`SUBSCRIPTION_INITIAL_RATE`). @default 10 */
  initialRatePerSecond: number;
  /** Gmail watches (`gmail/{labelId}`): only when `GOOGLE_PUBSUB_TOPIC` is set. */
  googlePubSub: GooglePubSubConfig | undefined;
}

/**
 * Gmail push notifications go through Cloud Pub/Sub: `users.watch` names the topic, and the push
 * subscription delivers to `${PUBLIC_URL}/webhooks/google` with a Google-signed OIDC token.
 * https://developers.google.com/workspace/gmail/api/guides/push
 */
export interface GooglePubSubConfig {
  /** `projects/<project>/topics/<topic>` (`GOOGLE_PUBSUB_TOPIC`). */
  topic: string;
  /** The audience the push subscription puts in its tokens (`GOOGLE_PUBSUB_AUDIENCE`). */
  audience: string;
  /** The service account the push subscription signs as (`GOOGLE_PUBSUB_SERVICE_ACCOUNT`). */
  serviceAccountEmail: string;
  /** Google's signing keys (`GOOGLE_PUBSUB_JWKS_URL`, for tests). @default 'https://www.googleapis.com/oauth2/v3/certs' */
  jwksUrl: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;
const OAUTH_CALLBACK_MODES = ['complete', 'forward'] as const;
export type OAuthCallbackMode = (typeof OAUTH_CALLBACK_MODES)[number];
/** HS256 needs a key at least as long as the hash (RFC 7518 §3.2). */
const MIN_JWT_SECRET_LENGTH = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The id of the key given as `INTEGRATION_ENCRYPTION_KEY` (a ring of one). */
export const SINGLE_ENCRYPTION_KEY_ID = 'default';

/** Reads one variable; empty strings count as unset (what `FOO=` in a compose file means). */
const read = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

function parseWith<T>(schema: z.ZodType<T>, name: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(name, result.error.issues[0]?.message ?? 'invalid value');
  return result.data;
}

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL');
const redisUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol), 'must be a redis:// or rediss:// URL');
const postgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), 'must be a postgres:// or postgresql:// URL');
const positiveInt = (max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);
const nonNegativeInt = (max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be at least 0').max(max, `must be at most ${max}`);

const optional = <T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodType<T>): T | undefined => {
  const value = read(env, name);
  return value === undefined ? undefined : parseWith(schema, name, value);
};

const stripTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * Decodes an encryption key written as 64 hex digits, base64 of 32 bytes, or a 32-character
 * secret used as is (the seed's "your-32-char-secret-key").
 */
export function decodeEncryptionKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  const raw = Buffer.from(value, 'utf8');
  return raw.length === 32 ? raw : undefined;
}

const KEY_FORMAT_HINT = 'must be 32 bytes: 64 hex digits, base64 of 32 bytes, or a 32-character secret';

function parseEncryptionKeys(env: NodeJS.ProcessEnv): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  const ring = read(env, 'INTEGRATION_ENCRYPTION_KEYS');
  if (ring !== undefined) {
    for (const [index, entry] of ring.split(',').entries()) {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, separator).trim();
      const encoded = entry.slice(separator + 1).trim();
      // Never echo the entry: it holds key material.
      if (separator <= 0 || !KEY_ID.test(id)) {
        throw new ConfigError('INTEGRATION_ENCRYPTION_KEYS', `entry ${index + 1} must be kid:key with kid of letters, digits, - or _`);
      }
      const key = decodeEncryptionKey(encoded);
      if (!key) throw new ConfigError('INTEGRATION_ENCRYPTION_KEYS', `key "${id}" ${KEY_FORMAT_HINT}`);
      if (keys.some((existing) => existing.id === id)) throw new ConfigError('INTEGRATION_ENCRYPTION_KEYS', `key id "${id}" appears twice`);
      keys.push({ id, key });
    }
  }
  const single = read(env, 'INTEGRATION_ENCRYPTION_KEY');
  if (single !== undefined) {
    const key = decodeEncryptionKey(single);
    if (!key) throw new ConfigError('INTEGRATION_ENCRYPTION_KEY', KEY_FORMAT_HINT);
    // With a ring too, the single key still opens what it sealed before rotation, but never seals.
    if (!keys.some((existing) => existing.id === SINGLE_ENCRYPTION_KEY_ID)) keys.push({ id: SINGLE_ENCRYPTION_KEY_ID, key });
  }
  return keys;
}

function parseProviders(env: NodeJS.ProcessEnv): Record<ProviderId, ProviderSettings> {
  const entries = PROVIDER_IDS.map((id) => {
    const prefix = id.toUpperCase();
    const url = (suffix: string) => {
      const value = optional(env, `${prefix}_${suffix}`, httpUrl);
      return value === undefined ? undefined : stripTrailingSlash(value);
    };
    const settings: ProviderSettings = {
      clientId: read(env, `${prefix}_CLIENT_ID`),
      clientSecret: read(env, `${prefix}_CLIENT_SECRET`),
      authorizationUrl: url('AUTHORIZATION_URL'),
      tokenUrl: url('TOKEN_URL'),
      apiBaseUrl: url('API_BASE_URL'),
      revocationUrl: url('REVOCATION_URL'),
      userinfoUrl: url('USERINFO_URL'),
      // Not through `url`: an issuer is compared as it is (RFC 9207), a trailing slash included.
      issuer: optional(env, `${prefix}_ISSUER`, httpUrl),
      // Only Slack signs with an app-wide secret; the others' webhooks carry per-endpoint secrets.
      signingSecret: id === 'slack' ? read(env, 'SLACK_SIGNING_SECRET') : undefined,
      tenant: id === 'microsoft' ? (read(env, 'MICROSOFT_TENANT') ?? 'common') : undefined,
    };
    if (settings.tenant !== undefined && !/^[A-Za-z0-9.-]{1,100}$/.test(settings.tenant)) {
      throw new ConfigError('MICROSOFT_TENANT', 'must be common, organizations, consumers, a tenant id or a domain');
    }
    if ((settings.clientId === undefined) !== (settings.clientSecret === undefined)) {
      const missing = settings.clientId === undefined ? `${prefix}_CLIENT_ID` : `${prefix}_CLIENT_SECRET`;
      throw new ConfigError(missing, `must be set together with ${missing.endsWith('_ID') ? `${prefix}_CLIENT_SECRET` : `${prefix}_CLIENT_ID`}`);
    }
    return [id, settings] as const;
  });
  return Object.fromEntries(entries) as Record<ProviderId, ProviderSettings>;
}

const PUBSUB_TOPIC = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/;

function parseSubscriptions(env: NodeJS.ProcessEnv): SubscriptionsConfig {
  const topic = optional(env, 'GOOGLE_PUBSUB_TOPIC', z.string().regex(PUBSUB_TOPIC, 'must be projects/<project-id>/topics/<topic>'));
  let googlePubSub: GooglePubSubConfig | undefined;
  if (topic !== undefined) {
    const audience = read(env, 'GOOGLE_PUBSUB_AUDIENCE');
    if (audience === undefined) throw new ConfigError('GOOGLE_PUBSUB_AUDIENCE', 'must be set with GOOGLE_PUBSUB_TOPIC: Pub/Sub push tokens are checked against it');
    const serviceAccountEmail = optional(env, 'GOOGLE_PUBSUB_SERVICE_ACCOUNT', z.email('must be the push subscription\'s service account email'));
    if (serviceAccountEmail === undefined) {
      throw new ConfigError('GOOGLE_PUBSUB_SERVICE_ACCOUNT', 'must be set with GOOGLE_PUBSUB_TOPIC: only pushes signed as this account are accepted');
    }
    googlePubSub = {
      topic,
      audience,
      serviceAccountEmail: serviceAccountEmail.toLowerCase(),
      jwksUrl: optional(env, 'GOOGLE_PUBSUB_JWKS_URL', httpUrl) ?? 'https://www.googleapis.com/oauth2/v3/certs',
    };
  }
  return {
    scheduler: optional(env, 'SUBSCRIPTION_SCHEDULER', z.enum(['on', 'off'], { error: 'must be on or off' })) !== 'off',
    pollIntervalMs: optional(env, 'SUBSCRIPTION_POLL_INTERVAL_MS', positiveInt(600_000)) ?? 1000,
    leaseSeconds: optional(env, 'SUBSCRIPTION_LEASE_SECONDS', positiveInt(3600)) ?? 120,
    concurrency: optional(env, 'SUBSCRIPTION_CONCURRENCY', positiveInt(1000)) ?? 16,
    retryMaxMinutes: optional(env, 'SUBSCRIPTION_RETRY_MAX_MINUTES', positiveInt(24 * 60)) ?? 60,
    failAfterMinutes: optional(env, 'SUBSCRIPTION_FAIL_AFTER_MINUTES', positiveInt(7 * 24 * 60)) ?? 30,
    reconcileMinutes: optional(env, 'SUBSCRIPTION_RECONCILE_MINUTES', positiveInt(7 * 24 * 60)) ?? 60,
    initialRatePerSecond: optional(env, 'SUBSCRIPTION_INITIAL_RATE', positiveInt(100_000)) ?? 10,
    googlePubSub,
  };
}

function parseAuth(env: NodeJS.ProcessEnv): AuthConfig {
  const jwtSecret = read(env, 'AUTH_JWT_SECRET');
  const jwksUrl = optional(env, 'AUTH_JWKS_URL', httpUrl);
  if (jwtSecret !== undefined && jwksUrl !== undefined) {
    throw new ConfigError('AUTH_JWT_SECRET', 'set either AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL (RS256/ES256), not both');
  }
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError('AUTH_JWT_SECRET', `must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  const orgClaim = optional(env, 'AUTH_ORG_CLAIM', z.string().regex(/^[\w:/.@-]{1,200}$/, 'must be a claim name')) ?? 'org';
  return {
    jwtSecret,
    jwksUrl,
    issuer: read(env, 'AUTH_ISSUER'),
    audience: read(env, 'AUTH_AUDIENCE'),
    orgClaim,
    development: false,
  };
}

/**
 * Reads and validates the environment. The only reader of `process.env` in the service.
 * Throws a `ConfigError` naming the first bad variable. Development secrets (a made-up
 * encryption key and JWT secret) are not made here: see `withDevelopmentSecrets`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = optional(env, 'NODE_ENV', z.enum(NODE_ENVS, { error: `must be one of ${NODE_ENVS.join(', ')}` })) ?? 'development';
  const production = nodeEnv === 'production';
  const port = optional(env, 'PORT', z.coerce.number({ error: 'must be a port number' }).int('must be a port number').min(0, 'must be a port number').max(65535, 'must be a port number')) ?? 4001;
  const publicUrl = stripTrailingSlash(optional(env, 'PUBLIC_URL', httpUrl) ?? `http://localhost:${port === 0 ? 4001 : port}`);
  const uiUrl = optional(env, 'UI_URL', httpUrl) ?? `${publicUrl}/`;
  const allowedRedirectUris = read(env, 'ALLOWED_REDIRECT_URIS')
    ?.split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '')
    .map((uri) => parseWith(httpUrl, 'ALLOWED_REDIRECT_URIS', uri)) ?? [`${publicUrl}/oauth/callback`];
  const auth = parseAuth(env);
  const encryptionKeys = parseEncryptionKeys(env);

  if (production) {
    if (auth.jwtSecret === undefined && auth.jwksUrl === undefined) {
      throw new ConfigError('AUTH_JWT_SECRET', 'production (NODE_ENV=production) needs AUTH_JWT_SECRET or AUTH_JWKS_URL');
    }
    if (encryptionKeys.length === 0) {
      throw new ConfigError('INTEGRATION_ENCRYPTION_KEY', 'production (NODE_ENV=production) needs INTEGRATION_ENCRYPTION_KEY or INTEGRATION_ENCRYPTION_KEYS');
    }
  }

  return {
    nodeEnv,
    production,
    port,
    publicUrl,
    uiUrl,
    oauthCallbackMode: optional(env, 'OAUTH_CALLBACK_MODE', z.enum(OAUTH_CALLBACK_MODES, { error: `must be one of ${OAUTH_CALLBACK_MODES.join(', ')}` })) ?? 'complete',
    databaseUrl: optional(env, 'DATABASE_URL', postgresUrl),
    redisUrl: optional(env, 'REDIS_URL', redisUrl),
    dataDir: read(env, 'DATA_DIR') ?? '.data',
    encryptionKeys,
    allowedRedirectUris,
    providers: parseProviders(env),
    auth,
    logLevel: optional(env, 'LOG_LEVEL', z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })) ?? 'info',
    webhooks: {
      workerConcurrency: optional(env, 'WEBHOOK_WORKER_CONCURRENCY', positiveInt(1000)) ?? 8,
      maxAttempts: optional(env, 'WEBHOOK_MAX_ATTEMPTS', positiveInt(100)) ?? 8,
    },
    responseCache: {
      maxMegabytes: optional(env, 'RESPONSE_CACHE_MB', nonNegativeInt(65_536)) ?? 64,
      ttlSeconds: optional(env, 'RESPONSE_CACHE_TTL_SECONDS', positiveInt(3600)) ?? 10,
    },
    subscriptions: parseSubscriptions(env),
  };
}
