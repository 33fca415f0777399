import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { ResolvedProvider } from '../resolve-provider.js';
import { oauthParties } from './authorization-server.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthFetch } from './oauth-fetch.js';
import { sendOAuthRequest, toOAuthError } from './token-endpoint.js';

export type RevocationOutcome =
  /** The provider confirmed the token is no longer valid (or already was not). */
  | { revoked: true }
  /** The provider has no revocation: nothing was sent. */
  | { revoked: false; reason: string };

export interface RevokeOptions {
  /** Which token this is (RFC 7009 §2.1 `token_type_hint`). */
  tokenTypeHint?: 'access_token' | 'refresh_token';
}

/** Slack `auth.revoke`: https://docs.slack.dev/reference/methods/auth.revoke */
const slackRevokeBody = z.object({ ok: z.boolean(), error: z.string().optional() }).loose();
/** Slack errors meaning the token is already unusable, which is what we wanted. */
const SLACK_ALREADY_DEAD = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive', 'not_authed']);

async function revokeWithBearerApi(provider: ResolvedProvider, fetchImpl: OAuthFetch, url: string, token: string): Promise<void> {
  const response = await sendOAuthRequest(provider, 'the token revocation', () =>
    fetchImpl(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }),
  );
  const parsed = slackRevokeBody.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new OAuthError('invalid_response', provider.id, `${provider.name} answered the token revocation with an unexpected body`);
  if (!parsed.data.ok && !SLACK_ALREADY_DEAD.has(parsed.data.error ?? '')) {
    throw new OAuthError('rejected', provider.id, `${provider.name} refused the token revocation (${parsed.data.error ?? 'unknown_error'})`, {
      providerError: parsed.data.error ?? 'unknown_error',
    });
  }
}

async function revokeWithRfc7009(
  provider: ResolvedProvider,
  fetchImpl: OAuthFetch,
  authenticateClient: boolean,
  token: string,
  tokenTypeHint: RevokeOptions['tokenTypeHint'],
): Promise<void> {
  const parties = oauthParties(provider, fetchImpl);
  // Google's revoke endpoint takes the token alone; others authenticate the client as at the token endpoint.
  const clientAuth = authenticateClient ? parties.clientAuth : oauth.None();
  const response = await sendOAuthRequest(provider, 'the token revocation', () =>
    oauth.revocationRequest(parties.as, parties.client, clientAuth, token, {
      ...parties.requestOptions,
      ...(tokenTypeHint ? { additionalParameters: { token_type_hint: tokenTypeHint } } : {}),
    }),
  );
  try {
    await oauth.processRevocationResponse(response);
  } catch (error) {
    const mapped = toOAuthError(provider, 'the token revocation', error);
    // RFC 7009 §2.2 answers 200 for an invalid token; some servers (Google) say `invalid_token`
    // instead. Either way the token no longer works, which is the point of revoking it.
    if (mapped.details.providerError === 'invalid_token' || mapped.details.providerError === 'invalid_grant') return;
    throw mapped;
  }
}

/**
 * Gives a token back to the provider (RFC 7009, or the provider's own API). Resolves when the
 * token is revoked or the provider cannot revoke; throws `OAuthError` otherwise (transient
 * errors have `transient === true`).
 */
export async function revokeToken(
  provider: ResolvedProvider,
  fetchImpl: OAuthFetch,
  token: string,
  options: RevokeOptions = {},
): Promise<RevocationOutcome> {
  const revocation = provider.revocation;
  if (revocation.kind === 'none') return { revoked: false, reason: revocation.reason };
  // A 503 is retried by the resilient fetch (see resilient-oauth-fetch.ts).
  if (revocation.kind === 'bearer-api') await revokeWithBearerApi(provider, fetchImpl, revocation.url, token);
  else await revokeWithRfc7009(provider, fetchImpl, revocation.authenticateClient, token, options.tokenTypeHint);
  return { revoked: true };
}
