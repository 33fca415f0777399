import type { Database } from '../db/database.js';
import type { SealContext, TokenCipher } from '../crypto/index.js';
import type { RoutedIntegration } from './routed-integration.js';

/** A provider-side subscription of an integration, with its secret opened. */
export interface WebhookEndpoint extends RoutedIntegration {
  provider: string;
  externalId: string;
  /** Null while an Asana handshake is awaited. */
  secret: string | null;
  /** The provider subscription this channel belongs to (src/subscriptions); null for endpoints registered by hand. */
  subscriptionId: string | null;
}

export interface RegisterWebhookEndpoint extends RoutedIntegration {
  provider: string;
  externalId: string;
  /** Omitted for Asana, whose secret arrives in the handshake. */
  secret?: string | null;
  expiresAt?: Date | null;
}

/**
 * How long a registered endpoint waits for its handshake (Asana sends it while creating the
 * webhook, within seconds). Later, the first caller to name the endpoint could otherwise choose
 * its secret.
 */
export const HANDSHAKE_WINDOW_MINUTES = 10;

/** What the receivers look up while routing a delivery. Every method reads across organizations. */
export interface WebhookDirectory {
  /** Live integrations whose provider account (Slack team, Microsoft tenant, Google subject) is `externalAccountId`. */
  integrationsForAccount(provider: string, externalAccountId: string): Promise<RoutedIntegration[]>;
  endpoint(provider: string, externalId: string): Promise<WebhookEndpoint | null>;
  /**
   * Stores the handshake secret only when the endpoint is still waiting for one, was registered in
   * the last {@link HANDSHAKE_WINDOW_MINUTES} minutes and belongs to a live integration; false
   * otherwise.
   */
  completeHandshake(provider: string, externalId: string, secret: string): Promise<boolean>;
  /** Creates or replaces an endpoint (called when a subscription or channel is created at the provider). */
  register(endpoint: RegisterWebhookEndpoint): Promise<void>;
  /** Live Gmail subscriptions of a mailbox, one per integration (Pub/Sub pushes name the mailbox only). */
  gmailSubscribers(emailAddress: string): Promise<(RoutedIntegration & { subscriptionId: string })[]>;
}

export interface WebhookDirectoryOptions {
  database: Database;
  cipher: TokenCipher;
  /**
   * How long an account → integrations lookup is reused. A busy Slack workspace sends many
   * events a second; re-reading the same row for each would double the ingest cost.
   * @default 2000
   */
  accountCacheMs?: number;
}

/** What a `webhook_endpoints.secret` is sealed with (AAD): also what the re-sealing job (src/connections/token-resealer.ts) uses. */
export const webhookSecretSealContext = (provider: string, externalId: string): SealContext => ({
  ownerId: `${provider}:${externalId}`,
  column: 'webhook_endpoints.secret',
});
const sealContext = webhookSecretSealContext;

export function createWebhookDirectory({ database, cipher, accountCacheMs = 2000 }: WebhookDirectoryOptions): WebhookDirectory {
  const accountCache = new Map<string, { at: number; integrations: Promise<RoutedIntegration[]> }>();

  const loadAccount = (provider: string, externalAccountId: string): Promise<RoutedIntegration[]> =>
    database.asSystem(async (em) => {
      const rows = await em.execute<{ id: string; organization_id: string }[]>(
        `select id, organization_id from integrations
          where provider_id = ? and external_account_id = ? and status <> 'disconnected'`,
        [provider, externalAccountId],
      );
      return rows.map((row) => ({ integrationId: row.id, organizationId: row.organization_id }));
    });

  return {
    integrationsForAccount(provider, externalAccountId) {
      const key = `${provider}\u0000${externalAccountId}`;
      const cached = accountCache.get(key);
      if (cached && Date.now() - cached.at < accountCacheMs) return cached.integrations;
      const integrations = loadAccount(provider, externalAccountId);
      if (accountCache.size > 10_000) accountCache.clear();
      accountCache.set(key, { at: Date.now(), integrations });
      // A failed lookup (database down) must not be remembered.
      integrations.catch(() => accountCache.delete(key));
      return integrations;
    },

    endpoint: (provider, externalId) =>
      database.asSystem(async (em) => {
        const [row] = await em.execute<{ integration_id: string; organization_id: string; secret: string | null; subscription_id: string | null }[]>(
          `select e.integration_id, e.organization_id, e.secret, e.subscription_id from webhook_endpoints e
             join integrations i on i.id = e.integration_id
            where e.provider = ? and e.external_id = ? and i.status <> 'disconnected'
              and (e.expires_at is null or e.expires_at > now())`,
          [provider, externalId],
        );
        if (!row) return null;
        return {
          provider,
          externalId,
          integrationId: row.integration_id,
          organizationId: row.organization_id,
          secret: row.secret === null ? null : cipher.open(row.secret, sealContext(provider, externalId)),
          subscriptionId: row.subscription_id,
        };
      }),

    gmailSubscribers: (emailAddress) =>
      database.asSystem(async (em) => {
        const rows = await em.execute<{ id: string; integration_id: string; organization_id: string }[]>(
          `select distinct on (s.integration_id) s.id, s.integration_id, s.organization_id
             from provider_subscriptions s join integrations i on i.id = s.integration_id
            where s.provider = 'google' and s.resource like 'gmail/%' and s.state->>'emailAddress' = ?
              and s.status <> 'stopped' and i.status <> 'disconnected'
            order by s.integration_id, s.created_at`,
          [emailAddress.toLowerCase()],
        );
        return rows.map((row) => ({ integrationId: row.integration_id, organizationId: row.organization_id, subscriptionId: row.id }));
      }),

    completeHandshake: (provider, externalId, secret) =>
      database.asSystem(async (em) => {
        const rows = await em.execute<{ id: string }[]>(
          `update webhook_endpoints e set secret = ?, updated_at = now()
             from integrations i
            where e.provider = ? and e.external_id = ? and e.secret is null
              and e.updated_at > now() - make_interval(mins => ${HANDSHAKE_WINDOW_MINUTES})
              and i.id = e.integration_id and i.status <> 'disconnected'
            returning e.id`,
          [cipher.seal(secret, sealContext(provider, externalId)), provider, externalId],
        );
        return rows.length === 1;
      }),

    register: (endpoint) =>
      database.withOrganization(endpoint.organizationId, async (em) => {
        const secret = endpoint.secret ? cipher.seal(endpoint.secret, sealContext(endpoint.provider, endpoint.externalId)) : null;
        await em.execute(
          `insert into webhook_endpoints (organization_id, integration_id, provider, external_id, secret, expires_at)
           values (?, ?, ?, ?, ?, ?)
           on conflict (provider, external_id) do update
             set integration_id = excluded.integration_id, secret = excluded.secret,
                 expires_at = excluded.expires_at, updated_at = now()
             where webhook_endpoints.organization_id = excluded.organization_id`,
          [endpoint.organizationId, endpoint.integrationId, endpoint.provider, endpoint.externalId, secret, endpoint.expiresAt ?? null],
        );
      }),
  };
}
