import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal.js';
import { generatePKCE } from '../crypto/pkce.js';
import { generateRandomString } from '../crypto/random-string.js';
import { IntegrationEntity } from '../db/entities/index.js';
import { toIntegrationSnapshot } from '../db/snapshots.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { buildAuthorizationUrl } from '../providers/oauth/authorization-url.js';
import { OAuthError } from '../providers/oauth/oauth-error.js';
import { exchangeAuthorizationCode } from '../providers/oauth/token-endpoint.js';
import type { TokenSet } from '../providers/oauth/token-set.js';
import { validateScopes } from '../providers/oauth/validate-scopes.js';
import { validateConnectionParams } from '../providers/connection-params.js';
import { resolveProvider, type ConnectionParams, type ResolvedProvider } from '../providers/resolve-provider.js';
import {
  defaultOAuthFetch,
  silentConnectionsLogger,
  type ConnectionDependencies,
  type ConnectionsLogger,
} from './connection-dependencies.js';
import { sealIntegrationToken } from './integration-token-columns.js';
import { oauthFailureToAppError } from './oauth-failure.js';
import { OAuthStateStore, type PendingAuthorization } from './oauth-state-store.js';

export interface StartConnectionInput {
  providerId: string;
  redirectUri: string;
  /** @default the provider's default scopes */
  scopes?: readonly string[] | null | undefined;
  /** Values for the provider's connection params (`{ subdomain: 'acme' }`). @default {} */
  connectionParams?: Readonly<Record<string, unknown>> | null | undefined;
}

export interface ConnectionAuthorization {
  authorizationUrl: string;
  state: string;
  expiresAt: Date;
}

export interface CompleteConnectionInput {
  state: string;
  code?: string | null | undefined;
  /** The provider's `error` parameter, when the user declined. */
  error?: string | null | undefined;
  /** The provider's `iss` parameter (RFC 9207), checked against the provider's issuer when given. */
  iss?: string | null | undefined;
}

/** What an OAuth error code looks like (RFC 6749 §4.1.2.1: printable ASCII, no quotes or backslash). */
const OAUTH_ERROR_CODE = /^[a-z0-9_.-]{1,64}$/i;

/** 43 characters of 6 bits: the same strength as a PKCE verifier. */
const STATE_LENGTH = 43;

/**
 * The connect flow: `startConnection` (state + PKCE + authorization URL) and
 * `completeConnection` (consume state, exchange the code, seal and store tokens, publish).
 */
export class ConnectionService {
  private readonly states: OAuthStateStore;
  private readonly logger: ConnectionsLogger;

  constructor(private readonly deps: ConnectionDependencies) {
    this.states = new OAuthStateStore(deps.cipher);
    this.logger = deps.logger ?? silentConnectionsLogger;
  }

  /** The provider with its effective endpoints for these params; refuses unknown (BAD_USER_INPUT) and unconfigured ones. */
  private configuredProvider(providerId: string, connectionParams?: ConnectionParams): ResolvedProvider {
    const provider = resolveProvider(providerId, this.deps.config, connectionParams);
    if (!provider.configured) {
      throw new AppError(ErrorCode.PROVIDER_NOT_CONFIGURED, `${provider.name} is not configured on this deployment`, { provider: providerId });
    }
    return provider;
  }

  async startConnection(principal: Principal, input: StartConnectionInput): Promise<ConnectionAuthorization> {
    const connectionParams = validateConnectionParams(this.configuredProvider(input.providerId), input.connectionParams);
    const provider = this.configuredProvider(input.providerId, connectionParams);
    if (!this.deps.config.allowedRedirectUris.includes(input.redirectUri)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'redirectUri is not on this deployment’s list of allowed redirect URIs');
    }
    const scopes = validateScopes(provider, input.scopes);
    const state = generateRandomString(STATE_LENGTH);
    const { codeVerifier, codeChallenge } = await generatePKCE();
    const expiresAt = await this.deps.database.withOrganization(principal.organizationId, (em) =>
      this.states.save(em, state, {
        organizationId: principal.organizationId,
        userId: principal.userId,
        providerId: provider.id,
        redirectUri: input.redirectUri,
        scopes,
        connectionParams,
        codeVerifier,
      }),
    );
    const authorizationUrl = buildAuthorizationUrl(provider, { state, redirectUri: input.redirectUri, scopes, codeChallenge });
    this.logger.info({ provider: provider.id, organizationId: principal.organizationId }, 'connection started');
    return { authorizationUrl, state, expiresAt };
  }

  /** GraphQL `completeConnection`: the state must have been issued to this very user. */
  async completeConnection(principal: Principal, input: CompleteConnectionInput): Promise<IntegrationEntity> {
    const pending = await this.deps.database.withOrganization(principal.organizationId, (em) =>
      this.states.consume(em, input.state, { organizationId: principal.organizationId, userId: principal.userId }),
    );
    const parameters = new URLSearchParams({ state: input.state });
    if (input.code) parameters.set('code', input.code);
    if (input.error) parameters.set('error', input.error);
    if (input.iss) parameters.set('iss', input.iss);
    return this.finish(pending, input.state, parameters);
  }

  /**
   * `GET /oauth/callback`: the browser carries no bearer token, so the state itself says whose
   * flow it is. All callback parameters (`code`, `state`, `iss`, `error`) are passed through.
   */
  async completeConnectionFromCallback(parameters: URLSearchParams): Promise<IntegrationEntity> {
    const state = parameters.get('state') ?? '';
    const pending = await this.deps.database.asSystem((em) => this.states.consume(em, state));
    return this.finish(pending, state, parameters);
  }

  /** Common end of both paths: handle a declined consent, exchange the code, store, publish. */
  private async finish(pending: PendingAuthorization, state: string, parameters: URLSearchParams): Promise<IntegrationEntity> {
    const provider = this.configuredProvider(pending.providerId, pending.connectionParams);
    const returned = parameters.get('error');
    if (returned) {
      // The parameter comes from the browser: only an RFC 6749 §4.1.2.1-shaped code is repeated back.
      const declined = OAUTH_ERROR_CODE.test(returned) ? returned : 'invalid_error_parameter';
      this.logger.info({ provider: provider.id, organizationId: pending.organizationId, providerError: declined }, 'connection declined');
      throw new AppError(
        ErrorCode.OAUTH_EXCHANGE_FAILED,
        declined === 'access_denied' ? `Access was declined at ${provider.name}; nothing was connected` : `${provider.name} returned ${declined}`,
        { provider: provider.id, providerError: declined },
      );
    }
    if (!parameters.get('code')) throw new AppError(ErrorCode.BAD_USER_INPUT, 'code is required unless error is given');

    let tokens: TokenSet;
    try {
      const oauthFetch = (this.deps.oauthFetch ?? defaultOAuthFetch)(provider.id);
      tokens = await exchangeAuthorizationCode(provider, oauthFetch, {
        callbackParameters: parameters,
        state,
        redirectUri: pending.redirectUri,
        codeVerifier: pending.codeVerifier,
      });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      this.logger.warn({ provider: provider.id, organizationId: pending.organizationId, kind: error.kind, ...error.details }, 'code exchange failed');
      throw oauthFailureToAppError(error, provider.name);
    }

    const { integration, afterCommit } = await this.deps.database.withOrganization(pending.organizationId, async (em) => {
      const stored = await this.storeConnection(em, provider, pending, tokens);
      // The provider's default subscriptions are made in the same transaction: a connection never
      // commits without them.
      return { integration: stored, afterCommit: await this.deps.lifecycle?.connected(em, stored) };
    });
    await this.deps.pubsub.publish('integrationStatusChanged', toIntegrationSnapshot(integration));
    await afterCommit?.();
    this.logger.info({ provider: provider.id, organizationId: pending.organizationId, integrationId: integration.id }, 'connection completed');
    return integration;
  }

  /**
   * One row per organization and provider: reconnecting revives it (with the params of this
   * connection: what the user gave, and what the provider taught us while connecting). The row id must be known
   * before sealing (it is in the tokens' AAD), so the row is created first if missing, then
   * locked and updated, all in one transaction.
   */
  private async storeConnection(
    em: EntityManager,
    provider: ResolvedProvider,
    pending: PendingAuthorization,
    tokens: TokenSet,
  ): Promise<IntegrationEntity> {
    await em.execute(
      `insert into integrations (id, organization_id, provider_id, provider_name, status)
       values (?, ?, ?, ?, 'disconnected') on conflict (organization_id, provider_id) do nothing`,
      [randomUUID(), pending.organizationId, provider.id, provider.name],
    );
    const [existing] = await em.execute<{ id: string; external_account_id: string | null }[]>(
      'select id, external_account_id from integrations where organization_id = ? and provider_id = ? for update',
      [pending.organizationId, provider.id],
    );
    if (!existing) throw new Error('integration row vanished inside its transaction');
    const id = existing.id;
    const sameAccount = existing.external_account_id !== null && existing.external_account_id === (tokens.externalAccountId ?? null);
    const refreshToken = tokens.refreshToken ? sealIntegrationToken(this.deps.cipher, id, 'refresh_token', tokens.refreshToken) : null;
    await em.execute(
      `update integrations set
         provider_name = ?, status = 'connected',
         access_token = ?,
         -- Providers that do not re-issue a refresh token on re-consent keep the old one, same account only.
         refresh_token = coalesce(?, case when ? then refresh_token end),
         token_key_id = ?, token_expires_at = ?, scopes = array(select jsonb_array_elements_text(?::jsonb)), metadata = ?::jsonb, connected_by = ?,
         connected_at = now(), error_message = null, needs_reauthorization = false,
         external_account_id = ?, connection_params = ?::jsonb, updated_at = now()
       where id = ?`,
      [
        provider.name,
        sealIntegrationToken(this.deps.cipher, id, 'access_token', tokens.accessToken),
        refreshToken,
        sameAccount,
        this.deps.cipher.keyRing.current.id,
        tokens.expiresAt ?? null,
        // As JSON: a bare array would be expanded into one placeholder per element.
        JSON.stringify(tokens.grantedScopes ?? pending.scopes),
        JSON.stringify(tokens.account),
        pending.userId,
        tokens.externalAccountId ?? null,
        JSON.stringify({ ...pending.connectionParams, ...tokens.learnedParams }),
        id,
      ],
    );
    return em.findOneOrFail(IntegrationEntity, { id });
  }
}

