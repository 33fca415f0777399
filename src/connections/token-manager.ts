import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../db/organization-id.js';
import { announceIntegrationWrite, IntegrationStatusStore, type IntegrationStatusWrite } from '../db/repositories/integration-status-store.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import { isProviderAuthError } from '../resilience/integration-error.js';
import { OAuthError } from '../providers/oauth/oauth-error.js';
import { refreshAccessToken } from '../providers/oauth/token-endpoint.js';
import type { TokenSet } from '../providers/oauth/token-set.js';
import { isKnownProvider, resolveProvider, type ConnectionParams } from '../providers/resolve-provider.js';
import { defaultOAuthFetch, silentConnectionsLogger, type ConnectionDependencies, type ConnectionsLogger } from './connection-dependencies.js';
import { openIntegrationToken, sealIntegrationToken } from './integration-token-columns.js';
import { OpenedAccessTokens } from './opened-access-tokens.js';
import { oauthFailureToAppError } from './oauth-failure.js';
import { TOKEN_COLUMNS, type TokenRow } from './token-row.js';

export interface TokenManagerOptions {
  /**
   * Refresh this long before the recorded expiry, so a token does not expire mid-request.
   * @default 120000 (2 minutes)
   */
  refreshMarginMs?: number;
  /**
   * Whether an error thrown by a provider call means "this access token was refused" (HTTP 401),
   * which triggers one refresh and one retry.
   * @default the resilience layer's `isProviderAuthError`, or any error with `statusCode`/`status` 401
   */
  isUnauthorized?: (error: unknown) => boolean;
}

/** How `withAccessToken` finds and checks the integration. */
export interface AccessTokenOptions {
  /**
   * The caller's organization: the integration is read under its row-level security, so another
   * organization's integration is NOT_FOUND, exactly like one that does not exist.
   * @default any organization (system code that learnt the id from the data itself)
   */
  organizationId?: string;
  /**
   * Refuse an integration that is not CONNECTED (disconnected, or in ERROR) with
   * INTEGRATION_NOT_CONNECTED before any token is opened or refreshed.
   * @default false: an integration in ERROR whose tokens the provider has not refused is used
   */
  requireConnected?: boolean;
}

/** What a provider call receives besides the token. */
export interface IntegrationCallContext {
  integrationId: string;
  organizationId: string;
  providerId: string;
  /** The connection's params (fill the entry's placeholders: `resolveProvider(providerId, config, connectionParams)`). */
  connectionParams: ConnectionParams;
}

const defaultIsUnauthorized = (error: unknown): boolean => {
  if (isProviderAuthError(error)) return true;
  if (!error || typeof error !== 'object') return false;
  const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
  return statusCode === 401 || status === 401;
};

const SYNC_RECORD_INTERVAL_MS = 5_000;

/** Outcome of a refresh attempt inside its transaction; errors are thrown after commit. */
type RefreshOutcome =
  /** `refreshedFor`: the organization whose integration got new tokens (absent when another caller had refreshed already). */
  | { kind: 'token'; accessToken: string; refreshedFor?: string }
  /** `write`: null when the row already said so (another path marked it first). */
  | { kind: 'dead'; error: AppError; write: IntegrationStatusWrite | null }
  | { kind: 'failed'; error: AppError };

/**
 * Gives server code a valid access token for an integration: refreshing before expiry (or after
 * a 401), one refresh at a time per integration across every process, rotated refresh tokens
 * stored with the new access token in one statement.
 *
 * Single flight: the refresh runs while holding the integration row's lock
 * (`SELECT … FOR UPDATE`); whoever waited for the lock re-reads the row and finds the fresh
 * token instead of refreshing again. An in-process map in front of it keeps concurrent callers
 * of one process from each holding a pooled connection while they wait.
 */
export class TokenManager {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly lastSyncRecorded = new Map<string, number>();
  private readonly statuses = new IntegrationStatusStore();
  private readonly openedAccessTokens: OpenedAccessTokens;
  private readonly refreshMarginMs: number;
  private readonly isUnauthorized: (error: unknown) => boolean;
  private readonly logger: ConnectionsLogger;

  constructor(
    private readonly deps: ConnectionDependencies,
    options: TokenManagerOptions = {},
  ) {
    this.refreshMarginMs = options.refreshMarginMs ?? 120_000;
    this.isUnauthorized = options.isUnauthorized ?? defaultIsUnauthorized;
    this.logger = deps.logger ?? silentConnectionsLogger;
    this.openedAccessTokens = new OpenedAccessTokens(deps.cipher);
  }

  /**
   * Runs `call` with a valid access token for the integration. On success `lastSyncAt` is
   * updated; when the provider refuses the token (401), the token is refreshed and `call` runs
   * once more. An integration whose refresh token is dead is marked ERROR with
   * `needsReauthorization` and the call fails with a message saying to reconnect.
   */
  async withAccessToken<T>(
    integrationId: string,
    call: (accessToken: string, context: IntegrationCallContext) => Promise<T>,
    options: AccessTokenOptions = {},
  ): Promise<T> {
    const row = await this.readRow(integrationId, options);
    const context: IntegrationCallContext = {
      integrationId: row.id,
      organizationId: row.organization_id,
      providerId: row.provider_id,
      connectionParams: row.connection_params,
    };
    let accessToken = this.needsRefresh(row) ? await this.refresh(row, undefined) : this.openAccessToken(row);
    let result: T;
    try {
      result = await call(accessToken, context);
    } catch (error) {
      if (!this.isUnauthorized(error)) throw error;
      this.logger.info({ integrationId: row.id, provider: row.provider_id }, 'provider refused the access token; refreshing');
      // The row may be a kept one whose token another instance has replaced since: whatever the
      // refresh finds, the next call reads the row from the database.
      this.deps.integrationRows?.forget(row.organization_id, row.id);
      accessToken = await this.refresh(row, accessToken);
      result = await call(accessToken, context);
    }
    await this.recordSync(row.id, row.organization_id);
    return result;
  }

  /** A valid access token (refreshed if needed), for callers that manage the call themselves. */
  async getValidAccessToken(integrationId: string): Promise<string> {
    const row = await this.readRow(integrationId);
    return this.needsRefresh(row) ? this.refresh(row, undefined) : this.openAccessToken(row);
  }

  private async readRow(integrationId: string, options: AccessTokenOptions = {}): Promise<TokenRow> {
    if (!isUuid(integrationId)) throw notFound('Integration');
    const { organizationId } = options;
    const row =
      organizationId === undefined
        ? (await this.deps.database.asSystem((em) => em.execute<TokenRow[]>(`select ${TOKEN_COLUMNS} from integrations where id = ?`, [integrationId])))[0]
        : await this.readInOrganization(organizationId, integrationId);
    if (!row) throw notFound('Integration');
    if (options.requireConnected && row.status !== 'connected') {
      throw new AppError(ErrorCode.INTEGRATION_NOT_CONNECTED, `${row.provider_name} is not connected (${row.status}); ${row.needs_reauthorization ? 'reconnect it' : 'connect it'} first`, {
        integrationId: row.id,
        status: row.status.toUpperCase(),
        needsReauthorization: row.needs_reauthorization,
      });
    }
    this.assertUsable(row);
    return row;
  }

  /**
   * One statement under the organization's row-level security, in one round trip, or the row
   * kept from a moment ago: this runs on every proxied request. System reads (provider
   * subscriptions, connection tests) are rare, and read the database every time.
   */
  private readInOrganization(organizationId: string, integrationId: string): Promise<TokenRow | undefined> {
    const load = async (): Promise<TokenRow | undefined> =>
      (
        await this.deps.database.readInOrganization<TokenRow>(organizationId, `select ${TOKEN_COLUMNS} from integrations where id = ? and organization_id = ?`, [
          integrationId,
          organizationId,
        ])
      )[0];
    return this.deps.integrationRows ? this.deps.integrationRows.read(organizationId, integrationId, load) : load();
  }

  /** A row in ERROR still has working tokens unless the provider refused them (needs reauthorization). */
  private assertUsable(row: TokenRow): void {
    if (row.needs_reauthorization) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${row.provider_name} needs to be reconnected before it can be used`, {
        integrationId: row.id,
        needsReauthorization: true,
      });
    }
    if (row.status === 'disconnected' || !row.access_token) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${row.provider_name} is not connected; connect it first`, { integrationId: row.id });
    }
  }

  private needsRefresh(row: TokenRow): boolean {
    if (!row.token_expires_at) return false;
    return new Date(row.token_expires_at).getTime() - this.refreshMarginMs <= Date.now();
  }

  private openAccessToken(row: TokenRow): string {
    return this.openedAccessTokens.open(row.id, row.access_token ?? '');
  }

  /**
   * Refreshes unless another caller (here or in another process) already did. `refused` is the
   * access token a provider rejected: if the stored one differs, it was replaced meanwhile.
   */
  private refresh(row: TokenRow, refused: string | undefined): Promise<string> {
    const key = `${row.id}:${refused ?? ''}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = this.refreshUnderLock(row.id, refused).finally(() => {
      this.inFlight.delete(key);
      // Whatever it found (new tokens, tokens another instance stored, a dead refresh token),
      // the row kept before it is out of date; the announcement only comes back later.
      this.deps.integrationRows?.forget(row.organization_id, row.id);
    });
    this.inFlight.set(key, promise);
    return promise;
  }

  private async refreshUnderLock(integrationId: string, refused: string | undefined): Promise<string> {
    const outcome = await this.deps.database.asSystem(async (em): Promise<RefreshOutcome> => {
      const [row] = await em.execute<TokenRow[]>(`select ${TOKEN_COLUMNS} from integrations where id = ? for update`, [integrationId]);
      if (!row) return { kind: 'failed', error: notFound('Integration') };
      this.assertUsable(row);
      const current = this.openAccessToken(row);
      const replacedMeanwhile = refused !== undefined ? current !== refused : !this.needsRefresh(row);
      if (replacedMeanwhile) return { kind: 'token', accessToken: current };
      return this.refreshRow(em, row);
    });
    if (outcome.kind === 'token') {
      // A new expiry is visible (tokenExpiresAt): read caches must hear of it, after the commit.
      if (outcome.refreshedFor) await this.deps.pubsub.publish('organizationDataChanged', { organizationId: outcome.refreshedFor });
      return outcome.accessToken;
    }
    if (outcome.kind === 'dead') await announceIntegrationWrite(this.deps.pubsub, outcome.write);
    throw outcome.error;
  }

  /** Calls the token endpoint while the row is locked and stores the result (or the verdict). */
  private async refreshRow(em: EntityManager, row: TokenRow): Promise<RefreshOutcome> {
    if (!isKnownProvider(row.provider_id, this.deps.config)) {
      return { kind: 'failed', error: new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Unknown provider on integration') };
    }
    const provider = resolveProvider(row.provider_id, this.deps.config, row.connection_params);
    if (!provider.configured) {
      return {
        kind: 'failed',
        error: new AppError(ErrorCode.PROVIDER_NOT_CONFIGURED, `${provider.name} is not configured on this deployment`, { provider: provider.id }),
      };
    }
    if (!row.refresh_token) return this.markDead(em, row, `${provider.name} gave no refresh token and the access token expired; reconnect ${provider.name} to resume`);
    const refreshToken = openIntegrationToken(this.deps.cipher, row.id, 'refresh_token', row.refresh_token);

    let tokens: TokenSet;
    try {
      tokens = await refreshAccessToken(provider, (this.deps.oauthFetch ?? defaultOAuthFetch)(provider.id), refreshToken);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      this.logger.warn({ integrationId: row.id, provider: provider.id, kind: error.kind, ...error.details }, 'token refresh failed');
      if (error.kind === 'invalid_grant') {
        return this.markDead(
          em,
          row,
          `${provider.name} no longer accepts this connection (access was revoked or expired); reconnect ${provider.name} to resume`,
        );
      }
      // 429, 5xx, unreachable, or a response we could not use: keep the stored tokens as they are.
      return { kind: 'failed', error: oauthFailureToAppError(error, provider.name) };
    }

    await em.execute(
      `update integrations set access_token = ?, refresh_token = ?, token_key_id = ?,
         token_expires_at = ?, updated_at = now() where id = ?`,
      [
        sealIntegrationToken(this.deps.cipher, row.id, 'access_token', tokens.accessToken),
        // Rotation: a new refresh token replaces the old one in the same statement as the access token.
        // Without rotation (Google) the old one is kept, but re-sealed with the current key like the
        // access token, so token_key_id is true of both columns and the refresh token is never left
        // sealed with a key about to be retired. The row is locked: the plaintext opened above is
        // still the stored one.
        sealIntegrationToken(this.deps.cipher, row.id, 'refresh_token', tokens.refreshToken || refreshToken),
        this.deps.cipher.keyRing.current.id,
        tokens.expiresAt ?? null,
        row.id,
      ],
    );
    this.logger.info({ integrationId: row.id, provider: provider.id, rotated: tokens.refreshToken !== undefined }, 'access token refreshed');
    return { kind: 'token', accessToken: tokens.accessToken, refreshedFor: row.organization_id };
  }

  private async markDead(em: EntityManager, row: TokenRow, message: string): Promise<RefreshOutcome> {
    const write = await this.statuses.set(em, row.id, { status: 'error', errorMessage: message, needsReauthorization: true });
    return { kind: 'dead', error: new AppError(ErrorCode.OAUTH_EXCHANGE_FAILED, message, { integrationId: row.id, needsReauthorization: true }), write };
  }

  /**
   * Throttled to one write per few seconds per integration (in this process, and in SQL across
   * processes): a busy integration should not turn every provider call into a row update.
   */
  private async recordSync(integrationId: string, organizationId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastSyncRecorded.get(integrationId) ?? 0) < SYNC_RECORD_INTERVAL_MS) return;
    this.lastSyncRecorded.set(integrationId, now);
    const updated = await this.deps.database.asSystem((em) =>
      em.execute<{ id: string }[]>(
        `update integrations set last_sync_at = now()
          where id = ? and (last_sync_at is null or last_sync_at < now() - interval '5 seconds') returning id`,
        [integrationId],
      ),
    );
    if (updated.length > 0) await this.deps.pubsub.publish('organizationDataChanged', { organizationId });
  }
}
