import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { ResolvedProvider } from '../resolve-provider.js';
import { oauthParties } from './authorization-server.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthFetch } from './oauth-fetch.js';
import { TOKEN_RESPONSE_QUIRKS } from './token-response-quirks-by-provider.js';
import type { TokenSet } from './token-set.js';

/** The RFC 6749 §5.1 fields we rely on, after oauth4webapi's checks and the provider's normalisation. */
const tokenBody = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string(),
    expires_in: z.number().positive().optional(),
    refresh_token: z.string().min(1).optional(),
    scope: z.string().optional(),
  })
  .loose();

const retryAfterSeconds = (response: Response): number | undefined => {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
};

/**
 * Sends a token-endpoint request and sorts out answers that say "not now" (429, 5xx, no
 * connection) before any protocol processing, so callers can keep their state and retry.
 */
export async function sendOAuthRequest(provider: ResolvedProvider, what: string, send: () => Promise<Response>): Promise<Response> {
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    // The cause may be a breaker or network error: neither carries secrets, but the message says enough.
    throw new OAuthError('unavailable', provider.id, `${provider.name} could not be reached for ${what}`);
  }
  if (response.status === 429) {
    await response.body?.cancel();
    const retryAfter = retryAfterSeconds(response);
    throw new OAuthError('rate_limited', provider.id, `${provider.name} rate-limited ${what}`, {
      status: 429,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new OAuthError('unavailable', provider.id, `${provider.name} failed ${what} (HTTP ${response.status})`, { status: response.status });
  }
  return response;
}

/** Translates oauth4webapi's errors into ours, dropping their causes (which hold response bodies). */
export function toOAuthError(provider: ResolvedProvider, what: string, error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const kind = error.error === 'invalid_grant' ? 'invalid_grant' : error.error === 'access_denied' ? 'access_denied' : 'rejected';
    return new OAuthError(kind, provider.id, `${provider.name} refused ${what} (${error.error})`, {
      providerError: error.error,
      status: error.status,
    });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return new OAuthError('rejected', provider.id, `${provider.name} refused our client credentials for ${what}`, {
      providerError: 'invalid_client',
      status: error.status,
    });
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} with an invalid response: ${error.message}`);
  }
  return new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} with an unreadable response`);
}

const decodeUnverifiedClaims = (jwt: unknown): Record<string, unknown> => {
  if (typeof jwt !== 'string') return {};
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

type Processor = (as: oauth.AuthorizationServer, response: Response) => Promise<oauth.TokenEndpointResponse>;

/**
 * Applies the provider's quirks to a token response, then oauth4webapi's checks (status, JSON,
 * `token_type`, ID token `iss`/`aud`/`exp`/`azp`), then our schema; maps it to a `TokenSet`.
 */
async function processTokenResponse(
  provider: ResolvedProvider,
  what: string,
  response: Response,
  as: oauth.AuthorizationServer,
  process: Processor,
): Promise<TokenSet> {
  const quirks = TOKEN_RESPONSE_QUIRKS[provider.id];
  let issuer = as.issuer;
  let toProcess = response;
  if (response.status === 200) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} with a body that is not JSON`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} with a body that is not a JSON object`);
    }
    const normalized = quirks.normalize ? quirks.normalize(body as Record<string, unknown>, provider) : (body as Record<string, unknown>);
    if (quirks.idTokenIssuer) issuer = quirks.idTokenIssuer(provider, decodeUnverifiedClaims(normalized.id_token));
    toProcess = new Response(JSON.stringify(normalized), { status: 200, headers: { 'content-type': 'application/json' } });
  }
  let result: oauth.TokenEndpointResponse;
  try {
    result = await process({ ...as, issuer }, toProcess);
  } catch (error) {
    throw toOAuthError(provider, what, error);
  }
  const parsed = tokenBody.safeParse(result);
  if (!parsed.success) throw new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} without a usable access token`);
  const idToken = oauth.getValidatedIdTokenClaims(result);
  const { externalAccountId, account } = quirks.account(result as Record<string, unknown>, idToken);
  const body = parsed.data;
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: body.expires_in === undefined ? undefined : new Date(Date.now() + body.expires_in * 1000),
    grantedScopes: body.scope === undefined ? undefined : body.scope.split(' ').filter(Boolean),
    externalAccountId,
    account,
  };
}

export interface CodeExchange {
  /** The parameters the provider sent to the redirect URI (`code`, `state`, maybe `iss`). */
  callbackParameters: URLSearchParams;
  /** The state we issued, matched against the callback's; omit when the caller matched it already. */
  state?: string | undefined;
  redirectUri: string;
  /** The PKCE verifier; required for providers that take PKCE when the request carried a challenge. */
  codeVerifier?: string | undefined;
}

/**
 * Authorization code grant (RFC 6749 §4.1.3) with the PKCE verifier (RFC 7636 §4.5). Checks the
 * callback first: RFC 9207 `iss` when present must be the provider's issuer.
 */
export async function exchangeAuthorizationCode(provider: ResolvedProvider, fetchImpl: OAuthFetch, exchange: CodeExchange): Promise<TokenSet> {
  const what = 'the authorization code exchange';
  const { as, client, clientAuth, requestOptions } = oauthParties(provider, fetchImpl);
  let callback: URLSearchParams;
  try {
    callback = oauth.validateAuthResponse(as, client, exchange.callbackParameters, exchange.state ?? oauth.skipStateCheck);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new OAuthError(error.error === 'access_denied' ? 'access_denied' : 'rejected', provider.id, `${provider.name} returned ${error.error}`, {
        providerError: error.error,
      });
    }
    throw new OAuthError('invalid_response', provider.id, `the ${provider.name} callback is not valid: ${(error as Error).message}`);
  }
  const verifier = provider.definition.pkce && exchange.codeVerifier ? exchange.codeVerifier : oauth.nopkce;
  const response = await sendOAuthRequest(provider, what, () =>
    oauth.authorizationCodeGrantRequest(as, client, clientAuth, callback, exchange.redirectUri, verifier, requestOptions),
  );
  return processTokenResponse(provider, what, response, as, (effectiveAs, toProcess) =>
    oauth.processAuthorizationCodeResponse(effectiveAs, client, toProcess),
  );
}

/**
 * Refresh token grant (RFC 6749 §6). When the provider rotates refresh tokens the new one is in
 * the result; when it does not, `refreshToken` is undefined and the old one stays valid.
 */
export async function refreshAccessToken(provider: ResolvedProvider, fetchImpl: OAuthFetch, refreshToken: string): Promise<TokenSet> {
  const what = 'the token refresh';
  const { as, client, clientAuth, requestOptions } = oauthParties(provider, fetchImpl);
  const response = await sendOAuthRequest(provider, what, () =>
    oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, requestOptions),
  );
  return processTokenResponse(provider, what, response, as, (effectiveAs, toProcess) =>
    oauth.processRefreshTokenResponse(effectiveAs, client, toProcess),
  );
}
