import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-sealing.js';
import { AppError, ErrorCode } from '../errors/app-error.js';

/** How long a user has to finish at the provider. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** A pending authorization, as consumed: the verifier is opened, the state is gone from the table. */
export interface PendingAuthorization {
  organizationId: string;
  userId: string;
  providerId: string;
  redirectUri: string;
  scopes: string[];
  /** What the user gave for the provider's connection params. */
  connectionParams: Record<string, string>;
  codeVerifier: string;
  expiresAt: Date;
}

interface OAuthStateRow {
  organization_id: string;
  user_id: string;
  provider_id: string;
  redirect_uri: string;
  scopes: string[];
  connection_params: Record<string, string>;
  code_verifier: string;
  expires_at: Date | string;
}

/** Rows are keyed by the SHA-256 of the state, so the table alone never yields a usable state. */
export const hashState = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

const invalidState = (): AppError =>
  new AppError(
    ErrorCode.OAUTH_STATE_INVALID,
    'This authorization request is unknown, was already used, or belongs to another user; start the connection again',
  );

/**
 * Server-side OAuth state (RFC 6749 §10.12, RFC 9700 §4.7): bound to organization and user,
 * carrying the sealed PKCE verifier, valid for 10 minutes and consumed exactly once by an
 * atomic `DELETE … RETURNING`.
 */
export class OAuthStateStore {
  constructor(private readonly cipher: TokenCipher) {}

  async save(em: EntityManager, state: string, pending: Omit<PendingAuthorization, 'expiresAt'>, now = new Date()): Promise<Date> {
    const stateHash = hashState(state);
    const expiresAt = new Date(now.getTime() + OAUTH_STATE_TTL_MS);
    // Abandoned flows leave rows behind; each new one sweeps its organization's expired ones.
    await em.execute('delete from oauth_states where organization_id = ? and expires_at < now()', [pending.organizationId]);
    await em.execute(
      `insert into oauth_states (state_hash, organization_id, user_id, provider_id, redirect_uri, scopes, connection_params, code_verifier, expires_at)
       values (?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?::jsonb, ?, ?)`,
      [
        stateHash,
        pending.organizationId,
        pending.userId,
        pending.providerId,
        pending.redirectUri,
        // As JSON: a bare array would be expanded into one placeholder per element.
        JSON.stringify(pending.scopes),
        JSON.stringify(pending.connectionParams),
        this.cipher.seal(pending.codeVerifier, { ownerId: stateHash, column: 'code_verifier' }),
        expiresAt,
      ],
    );
    return expiresAt;
  }

  /**
   * Deletes and returns the state. With `owner`, only that organization's user may consume it
   * (a foreign attempt neither succeeds nor burns the state). Unknown, used and expired states
   * all fail with OAUTH_STATE_INVALID.
   */
  async consume(em: EntityManager, state: string, owner?: { organizationId: string; userId: string }): Promise<PendingAuthorization> {
    if (state.length === 0 || state.length > 512) throw invalidState();
    const stateHash = hashState(state);
    const rows = await em.execute<OAuthStateRow[]>(
      `delete from oauth_states where state_hash = ?${owner ? ' and organization_id = ? and user_id = ?' : ''}
       returning organization_id, user_id, provider_id, redirect_uri, scopes, connection_params, code_verifier, expires_at`,
      owner ? [stateHash, owner.organizationId, owner.userId] : [stateHash],
    );
    const row = rows[0];
    if (!row) throw invalidState();
    const expiresAt = new Date(row.expires_at);
    if (expiresAt.getTime() <= Date.now()) {
      throw new AppError(ErrorCode.OAUTH_STATE_INVALID, 'This authorization request expired; start the connection again');
    }
    return {
      organizationId: row.organization_id,
      userId: row.user_id,
      providerId: row.provider_id,
      redirectUri: row.redirect_uri,
      scopes: row.scopes,
      connectionParams: row.connection_params,
      codeVerifier: this.cipher.open(row.code_verifier, { ownerId: stateHash, column: 'code_verifier' }),
      expiresAt,
    };
  }
}
