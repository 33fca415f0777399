import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Principal } from '../../src/auth/principal.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createConnectionServices, type ConnectionServices } from '../../src/connections/connection-services.js';
import type { ConnectionDependencies } from '../../src/connections/connection-dependencies.js';
import { createKeyRing } from '../../src/crypto/key-ring.js';
import { createTokenCipher, type TokenCipher } from '../../src/crypto/token-sealing.js';
import type { Database } from '../../src/db/database.js';
import { createResilientOAuthFetch } from '../../src/providers/oauth/resilient-oauth-fetch.js';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import type { IntegrationSnapshot } from '../../src/pubsub/topics.js';
import { ProviderBreakerRegistry } from '../../src/resilience/provider-breakers.js';
import { recordPublished, type PublishedMessages } from '../support/published-messages.js';

export const REDIRECT_URI = 'http://localhost:4001/oauth/callback';
export const CLIENT_ID = 'integrations-test-client';
export const CLIENT_SECRET = 'integrations-test-client-secret-0123456789';

/** A key ring of two keys, as `INTEGRATION_ENCRYPTION_KEYS` gives it. */
export const TEST_KEYS = `k2:${randomBytes(32).toString('hex')},k1:${randomBytes(32).toString('hex')}`;

/**
 * The service's config from environment variables, the way a deployment sets them: Google's
 * endpoints overridden to point at the loopback OAuth server.
 */
export function testConfig(issuer: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    GOOGLE_CLIENT_ID: CLIENT_ID,
    GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
    GOOGLE_AUTHORIZATION_URL: `${issuer}/auth`,
    GOOGLE_TOKEN_URL: `${issuer}/token`,
    GOOGLE_REVOCATION_URL: `${issuer}/token/revocation`,
    GOOGLE_USERINFO_URL: `${issuer}/oauth2/v3/userinfo`,
    GOOGLE_API_BASE_URL: issuer,
    ALLOWED_REDIRECT_URIS: REDIRECT_URI,
    INTEGRATION_ENCRYPTION_KEYS: TEST_KEYS,
    ...extra,
  });
}

export interface Harness {
  services: ConnectionServices;
  deps: ConnectionDependencies;
  cipher: TokenCipher;
  pubsub: InMemoryPubSub;
  /** Every message the services published. */
  published: PublishedMessages;
  /** Every log line the services wrote, as JSON: tests assert no secret is in there. */
  logLines: string[];
}

/** The connection services as the composition root builds them, over one `Database`. */
export function buildServices(database: Database, config: Config, testers: Parameters<typeof createConnectionServices>[1]['testers'] = {}): Harness {
  const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
  const pubsub = new InMemoryPubSub();
  const published = recordPublished(pubsub);
  const breakers = new ProviderBreakerRegistry();
  const logLines: string[] = [];
  const record = (object: Record<string, unknown>, message: string) => void logLines.push(JSON.stringify({ ...object, message }));
  const deps: ConnectionDependencies = {
    database,
    cipher,
    pubsub: published.pubsub,
    config,
    logger: { info: record, warn: record },
    oauthFetch: (providerId) => createResilientOAuthFetch(providerId, { breakers, retry: { initialDelay: 10, maxDelay: 50 } }),
  };
  return { services: createConnectionServices(deps, { testers }), deps, cipher, pubsub, published, logLines };
}

export const principalOf = (organizationId: string, userId = 'alice', roles: string[] = []): Principal => ({ userId, organizationId, roles });

export const newPrincipal = (userId = 'alice', roles: string[] = []): Principal => principalOf(randomUUID(), userId, roles);

/** Collects every `integrationStatusChanged` message of one organization. */
export function recordStatusChanges(pubsub: InMemoryPubSub, organizationId: string): { messages: IntegrationSnapshot[]; stop(): void } {
  const controller = new AbortController();
  const messages: IntegrationSnapshot[] = [];
  const iterator = pubsub.subscribe('integrationStatusChanged', organizationId, controller.signal);
  void (async () => {
    for await (const message of iterator) messages.push(message);
  })();
  return { messages, stop: () => controller.abort() };
}

/** Lets queued pub/sub deliveries (microtasks) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Direct SQL as the superuser (bypasses RLS): what is really stored. */
export async function queryAsSuperuser<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface StoredIntegration {
  id: string;
  status: string;
  access_token: string | null;
  refresh_token: string | null;
  token_key_id: string | null;
  token_expires_at: Date | null;
  last_sync_at: Date | null;
  needs_reauthorization: boolean;
  error_message: string | null;
  external_account_id: string | null;
  connection_params: Record<string, string>;
}

export async function storedIntegration(url: string, id: string): Promise<StoredIntegration> {
  const [row] = await queryAsSuperuser<StoredIntegration & pg.QueryResultRow>(url, 'select * from integrations where id = $1', [id]);
  if (!row) throw new Error(`no integration ${id}`);
  return row;
}

/** Makes the stored access token look expired, as if an hour had passed. */
export const expireAccessToken = (url: string, id: string): Promise<unknown> =>
  queryAsSuperuser(url, "update integrations set token_expires_at = now() - interval '1 minute' where id = $1", [id]);

/** Revokes a token at the OAuth server, as a user removing the app in their account settings does. */
export async function revokeDirectly(revocationUrl: string, token: string): Promise<number> {
  const response = await fetch(revocationUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Refreshes at the OAuth server directly, as an attacker holding an old refresh token would. */
export async function refreshDirectly(tokenUrl: string, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
