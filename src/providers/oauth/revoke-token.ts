import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { RevocationSupport } from '../provider-definition.js';
import type { ResolvedProvider } from '../resolve-provider.js';
import { fillTemplate } from '../url-template.js';
import { clientBasicAuthorization, oauthParties } from './authorization-server.js';
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

/** Slack's answer shape (`{ ok, error }`, HTTP 200 either way): https://docs.slack.dev/reference/methods/auth.revoke */
const okFalseBody = z.object({ ok: z.literal(false), error: z.string().optional() }).loose();
/** Errors meaning the token is already unusable, which is what we wanted (Slack's names). */
const ALREADY_DEAD = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive', 'not_authed']);

/**
 * Checks an API revocation's answer: 2xx is done, and so is 401 (the token no longer works);
 * a 2xx body `{ ok: false }` (Slack) is a refusal unless its error says the token is dead.
 */
async function checkApiRevocation(provider: ResolvedProvider, response: Response): Promise<void> {
  if (response.status === 401) {
    await response.body?.cancel();
    return;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new OAuthError('rejected', provider.id, `${provider.name} refused the token revocation (HTTP ${response.status})`, { status: response.status });
  }
  const refused = okFalseBody.safeParse(await response.json().catch(() => undefined));
  if (refused.success && !ALREADY_DEAD.has(refused.data.error ?? '')) {
    const providerError = refused.data.error ?? 'unknown_error';
    throw new OAuthError('rejected', provider.id, `${provider.name} refused the token revocation (${providerError})`, { providerError });
  }
}

/** `bearer-api`: the token itself authenticates the call (Slack `auth.revoke`, Dropbox `token/revoke`). */
async function revokeWithBearerApi(provider: ResolvedProvider, fetchImpl: OAuthFetch, url: string, method: string, token: string): Promise<void> {
  const response = await sendOAuthRequest(provider, 'the token revocation', () =>
    fetchImpl(url, { method, headers: { accept: 'application/json', ...provider.apiHeaders, authorization: `Bearer ${token}` } }),
  );
  await checkApiRevocation(provider, response);
}

/** `client-api`: our client authenticates (or nothing does), the token is in a JSON field or the URL (GitHub, HubSpot). */
async function revokeWithClientApi(
  provider: ResolvedProvider,
  fetchImpl: OAuthFetch,
  revocation: Extract<RevocationSupport, { kind: 'client-api' }>,
  token: string,
): Promise<void> {
  // An API method like any other: the entry's API headers go with it (Notion-Version on Notion's revoke).
  const headers: Record<string, string> = { accept: 'application/json', ...provider.apiHeaders };
  if (revocation.clientAuth === 'basic' && provider.credentials) headers.authorization = clientBasicAuthorization(provider.credentials);
  if (revocation.tokenField) headers['content-type'] = 'application/json';
  const url = fillTemplate(revocation.url, { token });
  const body = revocation.tokenField ? JSON.stringify({ [revocation.tokenField]: token }) : null;
  const response = await sendOAuthRequest(provider, 'the token revocation', () => fetchImpl(url, { method: revocation.method, headers, body }));
  await checkApiRevocation(provider, response);
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
  // A 503 is retried by the resilient fetch (see resilient-oauth-fetch.ts).
  switch (revocation.kind) {
    case 'none':
      return { revoked: false, reason: revocation.reason };
    case 'bearer-api':
      await revokeWithBearerApi(provider, fetchImpl, revocation.url, revocation.method, token);
      break;
    case 'client-api':
      await revokeWithClientApi(provider, fetchImpl, revocation, token);
      break;
    case 'rfc7009':
      await revokeWithRfc7009(provider, fetchImpl, revocation.authenticateClient, token, options.tokenTypeHint);
  }
  return { revoked: true };
}
