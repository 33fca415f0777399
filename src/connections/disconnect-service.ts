import { isAdmin, type Principal } from '../auth/principal.js';
import { IntegrationEntity } from '../db/entities/index.js';
import { isUuid } from '../db/organization-id.js';
import { toIntegrationSnapshot } from '../db/snapshots.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import { OAuthError } from '../providers/oauth/oauth-error.js';
import { revokeToken } from '../providers/oauth/revoke-token.js';
import { isKnownProvider, resolveProvider } from '../providers/resolve-provider.js';
import { defaultOAuthFetch, silentConnectionsLogger, type ConnectionDependencies, type ConnectionsLogger } from './connection-dependencies.js';
import { openIntegrationToken } from './integration-token-columns.js';

interface SealedTokens {
  access_token: string | null;
  refresh_token: string | null;
}

/**
 * Disconnects an integration: stops its provider subscriptions at the provider, then gives the
 * tokens back to the provider where it can take them,
 * wipes our sealed copies, marks the row DISCONNECTED and publishes the change. A provider
 * that cannot be reached does not block this: the local wipe happens anyway and the failed
 * revocation is recorded in `errorMessage`.
 */
export class DisconnectService {
  private readonly logger: ConnectionsLogger;

  constructor(private readonly deps: ConnectionDependencies) {
    this.logger = deps.logger ?? silentConnectionsLogger;
  }

  async disconnectIntegration(principal: Principal, integrationId: string): Promise<IntegrationEntity> {
    if (!isUuid(integrationId)) throw notFound('Integration');
    const { integration, tokens } = await this.deps.database.withOrganization(principal.organizationId, async (em) => {
      const found = await em.findOne(IntegrationEntity, { id: integrationId, organizationId: principal.organizationId });
      // Another organization's id reads as missing: no existence oracle.
      if (!found) throw notFound('Integration');
      if (!isAdmin(principal) && found.connectedBy !== principal.userId) {
        throw new AppError(ErrorCode.FORBIDDEN, 'Only an admin or the person who connected this integration can disconnect it');
      }
      const [sealed] = await em.execute<SealedTokens[]>('select access_token, refresh_token from integrations where id = ?', [integrationId]);
      return { integration: found, tokens: sealed };
    });
    if (integration.status === 'disconnected' && !tokens?.access_token && !tokens?.refresh_token) return integration;

    // Subscriptions are stopped at the provider while the tokens still work; a provider that is
    // down does not block the disconnect (the lifecycle records it and never throws for it).
    if (integration.status !== 'disconnected') await this.deps.lifecycle?.disconnecting(integration);
    const revocationFailure = await this.revoke(integration, tokens);
    const updated = await this.deps.database.withOrganization(principal.organizationId, async (em) => {
      await em.execute(
        `update integrations set status = 'disconnected', access_token = null, refresh_token = null, token_key_id = null,
           token_expires_at = null, needs_reauthorization = false, error_message = ?, updated_at = now() where id = ?`,
        [revocationFailure ?? null, integrationId],
      );
      return em.findOneOrFail(IntegrationEntity, { id: integrationId });
    });
    // Stopping the tokens is the point of a disconnect: this instance stops at once, not when its
    // own announcement comes back through Redis; the others stop when it reaches them.
    this.deps.integrationRows?.forget(principal.organizationId, integrationId);
    await this.deps.pubsub.publish('integrationStatusChanged', toIntegrationSnapshot(updated));
    this.logger.info({ integrationId, provider: updated.providerId, revoked: revocationFailure === undefined }, 'integration disconnected');
    return updated;
  }

  /**
   * Revokes the token the entry names, else the refresh token when there is one (that ends the
   * whole grant at Google and Asana), else the access token. Returns a message when revocation
   * was needed but failed.
   */
  private async revoke(integration: IntegrationEntity, tokens: SealedTokens | undefined): Promise<string | undefined> {
    if (!isKnownProvider(integration.providerId, this.deps.config)) return undefined;
    const provider = resolveProvider(integration.providerId, this.deps.config, integration.connectionParams);
    if (provider.revocation.kind === 'none') return undefined;
    const wanted = provider.revocation.kind === 'client-api' ? provider.revocation.token : undefined;
    const useRefresh = wanted ? wanted === 'refresh_token' : tokens?.refresh_token != null;
    const sealed = useRefresh ? tokens?.refresh_token : tokens?.access_token;
    if (!sealed) return undefined;
    if (!provider.configured) {
      return `Tokens were deleted here, but ${provider.name} is no longer configured so they could not be revoked there; remove the app in your ${provider.name} account settings`;
    }
    try {
      const token = openIntegrationToken(this.deps.cipher, integration.id, useRefresh ? 'refresh_token' : 'access_token', sealed);
      await revokeToken(provider, (this.deps.oauthFetch ?? defaultOAuthFetch)(provider.id), token, {
        tokenTypeHint: useRefresh ? 'refresh_token' : 'access_token',
      });
      return undefined;
    } catch (error) {
      const reason = error instanceof OAuthError ? error.message : 'an unexpected error';
      this.logger.warn({ integrationId: integration.id, provider: provider.id, reason }, 'token revocation failed; wiping tokens locally');
      return `Tokens were deleted here, but revoking them at ${provider.name} failed (${reason}); remove the app in your ${provider.name} account settings`;
    }
  }
}
