import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { ResolvedProvider } from '../resolve-provider.js';
import { oauthParties } from './authorization-server.js';
import { readConnectedAccount } from './connected-account.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthFetch } from './oauth-fetch.js';
import { TOKEN_RESPONSE_QUIRKS } from './token-response-quirks-by-provider.js';
import { normalizeTokenResponse, providerErrorFor, readTokenResponseBody } from './token-response-shape.js';
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
  if (error instanceof oauth.ResponseBodyError) return providerErrorFor(provider, what, error.error, error.status);
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

/** How a token answer is read besides the response itself. */
interface TokenResponseContext {
  fetchImpl: OAuthFetch;
  /** The redirect's query parameters (code exchange: learned params may come from it). */
  callback?: URLSearchParams | undefined;
  /** True for a code exchange (see `AccountSources.lookUp`). */
  lookUp: boolean;
}

/**
 * Brings a token answer into RFC 6749 shape as the entry describes it (format, errors at 200,
 * where the tokens are, `token_type`, scopes) and the provider's quirks, then oauth4webapi's
 * checks (status, `token_type`, ID token `iss`/`aud`/`exp`/`azp`), then our schema; maps it to
 * a `TokenSet` with the connected account.
 */
async function processTokenResponse(
  provider: ResolvedProvider,
  what: string,
  response: Response,
  as: oauth.AuthorizationServer,
  process: Processor,
  context: TokenResponseContext,
): Promise<TokenSet> {
  const quirks = TOKEN_RESPONSE_QUIRKS[provider.id];
  let issuer = as.issuer;
  let body = await readTokenResponseBody(provider, response);
  if (response.status === 200) {
    if (!body) throw new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} with a body that is neither a JSON object nor a form`);
    body = normalizeTokenResponse(provider, what, body);
    if (quirks?.idTokenIssuer) issuer = quirks.idTokenIssuer(provider, decodeUnverifiedClaims(body.id_token));
  }
  // The answer as oauth4webapi reads it: JSON, with the headers that matter to it (a 401's challenge).
  const headers = new Headers({ 'content-type': 'application/json' });
  const challenge = response.headers.get('www-authenticate');
  if (challenge) headers.set('www-authenticate', challenge);
  const toProcess = new Response(body ? JSON.stringify(body) : '', { status: response.status, headers });
  let result: oauth.TokenEndpointResponse;
  try {
    result = await process({ ...as, issuer }, toProcess);
  } catch (error) {
    throw toOAuthError(provider, what, error);
  }
  const parsed = tokenBody.safeParse(result);
  if (!parsed.success) throw new OAuthError('invalid_response', provider.id, `${provider.name} answered ${what} without a usable access token`);
  const tokens = parsed.data;
  const { externalAccountId, account, learnedParams } = await readConnectedAccount(provider, context.fetchImpl, {
    body: result as Record<string, unknown>,
    idToken: oauth.getValidatedIdTokenClaims(result),
    callback: context.callback,
    accessToken: tokens.access_token,
    lookUp: context.lookUp,
  });
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: tokens.expires_in === undefined ? undefined : new Date(Date.now() + tokens.expires_in * 1000),
    grantedScopes: tokens.scope === undefined ? undefined : tokens.scope.split(' ').filter(Boolean),
    externalAccountId,
    account,
    learnedParams,
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
  const verifier = provider.definition.pkce !== 'refused' && exchange.codeVerifier ? exchange.codeVerifier : oauth.nopkce;
  const response = await sendOAuthRequest(provider, what, () =>
    oauth.authorizationCodeGrantRequest(as, client, clientAuth, callback, exchange.redirectUri, verifier, requestOptions),
  );
  return processTokenResponse(
    provider,
    what,
    response,
    as,
    (effectiveAs, toProcess) => oauth.processAuthorizationCodeResponse(effectiveAs, client, toProcess),
    { fetchImpl, callback: exchange.callbackParameters, lookUp: true },
  );
}

/**
 * Refresh token grant (RFC 6749 §6), at the entry's refresh URL. When the provider rotates
 * refresh tokens the new one is in the result; when it does not, `refreshToken` is undefined and
 * the old one stays valid. Only what the answer carries is read of the account (no lookup).
 */
export async function refreshAccessToken(provider: ResolvedProvider, fetchImpl: OAuthFetch, refreshToken: string): Promise<TokenSet> {
  const what = 'the token refresh';
  const { as, client, clientAuth, requestOptions } = oauthParties(provider, fetchImpl, { tokenEndpoint: provider.refreshUrl });
  const response = await sendOAuthRequest(provider, what, () =>
    oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, requestOptions),
  );
  return processTokenResponse(
    provider,
    what,
    response,
    as,
    (effectiveAs, toProcess) => oauth.processRefreshTokenResponse(effectiveAs, client, toProcess),
    { fetchImpl, lookUp: false },
  );
}
