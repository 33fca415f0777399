import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_VERIFIED_TOKEN_CACHE_SECONDS } from './auth/verified-token-cache.js';
import { ConfigError, httpUrl, optional, parseWith, read, stripTrailingSlash } from './config-values.js';
import type { EncryptionKey } from './crypto/key-ring.js';
import { parseProviderSettings, type ProviderSettings } from './providers/provider-settings.js';
import { loadProviderRegistry } from './providers/providers-file.js';
import { sandboxClientCredentials, withSandboxProvider } from './sandbox/sandbox-provider-entry.js';
import type { ProviderRegistry } from './providers/registry.js';

export { ConfigError };

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
  /**
   * How long a verified token is accepted again without being verified (`AUTH_VERIFIED_TOKEN_CACHE_SECONDS`;
   * never past its `exp`; 0: every request verifies). A key removed from the JWKS is still honoured
   * this long for tokens it signed that were seen before. @default 30
   */
  verifiedTokenCacheSeconds: number;
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
  /**
   * Create the database `databaseUrl` names when it does not exist (`DATABASE_CREATE`). Off, a
   * missing database stops start-up naming `DATABASE_URL`: a mistyped name must not start an
   * empty service. The embedded database needs no creating.
   * @default false
   */
  databaseCreate: boolean;
  /** How long the service waits on PostgreSQL before giving up on a connection or a statement. */
  databaseTimeouts: DatabaseTimeouts;
  /** Unset: in-process pub/sub and a queue on the database. */
  redisUrl: string | undefined;
  /**
   * Namespace of everything this deployment puts in Redis (`REDIS_PREFIX`): BullMQ's queue keys
   * (`<prefix>:webhook-events:*`) and the pub/sub channels (`<prefix>:<topic>:<organization>`).
   * Deployments sharing one Redis need different prefixes, or they read each other's messages.
   * @default 'integrations'
   */
  redisPrefix: string;
  /**
   * Interface the HTTP server listens on (`HOST`). Unset: every interface, except in development
   * mode (the service made its own auth secret and serves `/auth/dev-token`), where it is loopback.
   */
  host: string | undefined;
  /** Embedded database files and development secrets. @default '.data' */
  dataDir: string;
  /** Key ring for token sealing; the first key seals. Empty until `withDevelopmentSecrets` in development. */
  encryptionKeys: EncryptionKey[];
  /** Allow-list for `startConnection.redirectUri`. @default [`${publicUrl}/oauth/callback`] */
  allowedRedirectUris: string[];
  /** Every provider this deployment knows: the built-in entries with `PROVIDERS_FILE`'s added or merged over them. */
  providerRegistry: ProviderRegistry;
  /** Credentials, endpoint overrides and config params of every provider in the registry. */
  providers: Record<string, ProviderSettings>;
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
  /** The provider proxy (`/proxy/:integrationId/*path`, `connections.proxy`). */
  proxy: ProxyConfig;
  subscriptions: SubscriptionsConfig;
  /** The sandbox provider served by the service itself (src/sandbox); undefined when off. */
  sandbox: SandboxConfig | undefined;
  http: HttpServerLimits;
}

/**
 * The sandbox (`SANDBOX_ENABLED`, on by default outside production, refused in production): an
 * OAuth server, API and webhook sender inside the service, registered as provider `sandbox`.
 */
export interface SandboxConfig {
  /** How long a sandbox subscription lives unless renewed (`SANDBOX_SUBSCRIPTION_MINUTES`). @default 5 */
  subscriptionMinutes: number;
}

/**
 * Bounds on waiting for PostgreSQL. Without them a silent network loss (packets dropped, no
 * reset) holds every pooled connection until TCP gives up, minutes later, and the service stays
 * down long after the database is back.
 */
export interface DatabaseTimeouts {
  /** Establishing a connection, and waiting for a free one in the pool (`DATABASE_CONNECT_TIMEOUT_MS`). @default 5000 */
  connectMs: number;
  /**
   * Longest statement, and longest idle time inside a transaction, the server allows
   * (`DATABASE_STATEMENT_TIMEOUT_MS`); a reply that has not come a little after it means the
   * connection is gone, and it is dropped. @default 10000
   */
  statementMs: number;
}

/** `DATABASE_CONNECT_TIMEOUT_MS` and `DATABASE_STATEMENT_TIMEOUT_MS` when unset. */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 5000, statementMs: 10_000 };

/** What one client may hold of the HTTP server, as a deployment behind a load balancer would set it. */
export interface HttpServerLimits {
  /** Receiving a whole request, headers and body (`HTTP_REQUEST_TIMEOUT_MS`). @default 30000 */
  requestTimeoutMs: number;
  /** Receiving a request's headers (`HTTP_HEADERS_TIMEOUT_MS`); at most `requestTimeoutMs`. @default 10000 */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection is kept (`HTTP_KEEP_ALIVE_TIMEOUT_MS`). @default 5000 */
  keepAliveTimeoutMs: number;
  /**
   * Open connections at once; more are refused (`HTTP_MAX_CONNECTIONS`). Every live UI tab
   * holds one (its graphql-ws socket), so this is sized for thousands of subscribers per
   * instance, below common open-file limits; stalled requests are the timeouts' job. @default 10000
   */
  maxConnections: number;
}

export interface ProxyConfig {
  /** Largest request body passed on to a provider, in bytes (`PROXY_MAX_REQUEST_BODY_MB`). @default 10 MiB */
  maxRequestBodyBytes: number;
  /**
   * How long a provider may take to start answering, retries included, and to pause while
   * sending its body, in ms (`PROXY_TIMEOUT_SECONDS`). @default 30000
   */
  timeoutMs: number;
  /** Request headers passed on beyond the built-in allow-list, lower-cased (`PROXY_FORWARD_HEADERS`). @default [] */
  forwardHeaders: string[];
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
/** A header field name (RFC 9110 §5.1: a token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** HS256 needs a key at least as long as the hash (RFC 7518 §3.2). */
const MIN_JWT_SECRET_LENGTH = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The id of the key given as `INTEGRATION_ENCRYPTION_KEY` (a ring of one). */
export const SINGLE_ENCRYPTION_KEY_ID = 'default';

const redisUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol), 'must be a redis:// or rediss:// URL');
const postgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), 'must be a postgres:// or postgresql:// URL');
/** The first `:` of a key or channel ends the prefix, so no prefix's keys or channel pattern reach into another's. */
const redisPrefix = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, _, . or - (no :)');
const listenHost = z.string().refine((value) => isIP(value) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(value), 'must be an IP address or a host name');
const booleanFlag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((value) => value === 'true' || value === '1');
const positiveInt = (max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);
const nonNegativeInt = (max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be at least 0').max(max, `must be at most ${max}`);


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

function parseProxy(env: NodeJS.ProcessEnv): ProxyConfig {
  const forwardHeaders = (read(env, 'PROXY_FORWARD_HEADERS') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  for (const name of forwardHeaders) {
    if (!HEADER_NAME.test(name)) throw new ConfigError('PROXY_FORWARD_HEADERS', `"${name}" is not a header name`);
  }
  return {
    maxRequestBodyBytes: (optional(env, 'PROXY_MAX_REQUEST_BODY_MB', positiveInt(4096)) ?? 10) * 1024 * 1024,
    timeoutMs: (optional(env, 'PROXY_TIMEOUT_SECONDS', positiveInt(3600)) ?? 30) * 1000,
    forwardHeaders: [...new Set(forwardHeaders)],
  };
}

function parseHttpServerLimits(env: NodeJS.ProcessEnv): HttpServerLimits {
  const requestTimeoutMs = optional(env, 'HTTP_REQUEST_TIMEOUT_MS', positiveInt(3_600_000)) ?? 30_000;
  const headersTimeoutMs = optional(env, 'HTTP_HEADERS_TIMEOUT_MS', positiveInt(3_600_000)) ?? Math.min(10_000, requestTimeoutMs);
  // Node refuses a headers timeout beyond the request timeout.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must be at most HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: optional(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', positiveInt(3_600_000)) ?? 5000,
    maxConnections: optional(env, 'HTTP_MAX_CONNECTIONS', positiveInt(1_000_000)) ?? 10_000,
  };
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

function parseSandbox(env: NodeJS.ProcessEnv, production: boolean): SandboxConfig | undefined {
  const enabled = optional(env, 'SANDBOX_ENABLED', booleanFlag);
  if (production && enabled === true) {
    throw new ConfigError('SANDBOX_ENABLED', 'the sandbox provider is for development only: production (NODE_ENV=production) refuses it; unset it or set false');
  }
  const subscriptionMinutes = optional(env, 'SANDBOX_SUBSCRIPTION_MINUTES', positiveInt(24 * 60)) ?? 5;
  return (enabled ?? !production) ? { subscriptionMinutes } : undefined;
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
    verifiedTokenCacheSeconds: optional(env, 'AUTH_VERIFIED_TOKEN_CACHE_SECONDS', nonNegativeInt(300)) ?? DEFAULT_VERIFIED_TOKEN_CACHE_SECONDS,
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
  const sandbox = parseSandbox(env, production);
  const deploymentRegistry = loadProviderRegistry(read(env, 'PROVIDERS_FILE'));
  const providerRegistry = sandbox ? withSandboxProvider(deploymentRegistry, publicUrl) : deploymentRegistry;
  const providers = parseProviderSettings(env, providerRegistry);
  // The service registers its own client with the sandbox's authorization server: configured from the start.
  if (sandbox) providers.sandbox = { ...providers.sandbox, ...sandboxClientCredentials() };
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
    databaseCreate: optional(env, 'DATABASE_CREATE', booleanFlag) ?? false,
    databaseTimeouts: {
      connectMs: optional(env, 'DATABASE_CONNECT_TIMEOUT_MS', positiveInt(600_000)) ?? DEFAULT_DATABASE_TIMEOUTS.connectMs,
      statementMs: optional(env, 'DATABASE_STATEMENT_TIMEOUT_MS', positiveInt(3_600_000)) ?? DEFAULT_DATABASE_TIMEOUTS.statementMs,
    },
    redisUrl: optional(env, 'REDIS_URL', redisUrl),
    redisPrefix: optional(env, 'REDIS_PREFIX', redisPrefix) ?? 'integrations',
    host: optional(env, 'HOST', listenHost),
    dataDir: read(env, 'DATA_DIR') ?? '.data',
    encryptionKeys,
    allowedRedirectUris,
    providerRegistry,
    providers,
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
    proxy: parseProxy(env),
    subscriptions: parseSubscriptions(env),
    sandbox,
    http: parseHttpServerLimits(env),
  };
}
