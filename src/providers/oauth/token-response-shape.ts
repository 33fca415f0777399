import { readPath } from '../json-path.js';
import type { ResolvedProvider } from '../resolve-provider.js';
import { OAuthError } from './oauth-error.js';

/** Raw JSON object of a token response, before and after the entry's shape is applied. */
export type TokenResponseBody = Record<string, unknown>;

/** What an OAuth error code looks like (RFC 6749 §5.2: printable ASCII); anything else is not repeated. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The `OAuthError` for an error code a provider answered with, sorted by the entry's lists
 * (Slack's `invalid_code` is a dead grant, its `ratelimited` a rate limit).
 */
export function providerErrorFor(provider: ResolvedProvider, what: string, code: string, status?: number): OAuthError {
  const shape = provider.definition.tokenResponse;
  const providerError = ERROR_CODE.test(code) ? code : 'unknown_error';
  const details = { providerError, ...(status === undefined ? {} : { status }) };
  if (shape.rateLimitErrors.includes(code)) return new OAuthError('rate_limited', provider.id, `${provider.name} rate-limited ${what}`, details);
  const kind = code === 'invalid_grant' || shape.invalidGrantErrors.includes(code) ? 'invalid_grant' : code === 'access_denied' ? 'access_denied' : 'rejected';
  return new OAuthError(kind, provider.id, `${provider.name} refused ${what} (${providerError})`, details);
}

/**
 * `expires_in` as a number: form-encoded answers (and a few JSON ones) send it as a string; a
 * `null` means no expiry (Zendesk's default unless the token request asks for one:
 * https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/).
 */
function seconds(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return value;
  return Number(value);
}

/**
 * Reads a token endpoint answer as an object: JSON, or form-encoded when the entry says so or
 * the answer says `application/x-www-form-urlencoded` (GitHub when `Accept` is not honoured).
 * Undefined when it is neither.
 */
export async function readTokenResponseBody(provider: ResolvedProvider, response: Response): Promise<TokenResponseBody | undefined> {
  const text = await response.text();
  const formEncoded =
    provider.definition.tokenResponse.format === 'form' || (response.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
  if (formEncoded) return Object.fromEntries(new URLSearchParams(text));
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

const splitScopes = (value: unknown, separator: string, prefix = ''): string[] =>
  typeof value === 'string'
    ? value
        .split(separator)
        .map((scope) => scope.trim())
        .filter(Boolean)
        .map((scope) => `${prefix}${scope}`)
    : [];

/**
 * Bends a successful (HTTP 200) answer into RFC 6749 §5.1 shape, following the entry: errors
 * reported with 200 become `OAuthError`s; the tokens are taken from the first object of
 * `tokenPaths` that holds an access token (Slack's `authed_user` for a user-only install);
 * `token_type` is `bearer` when missing or one of the entry's bearer names; granted scopes
 * (with user scopes under their prefix) are joined with spaces. Other fields stay for the
 * account and learned params.
 */
export function normalizeTokenResponse(provider: ResolvedProvider, what: string, body: TokenResponseBody): TokenResponseBody {
  const { tokenResponse: shape, scopeSeparator, userScopeParam } = provider.definition;
  const reportedError = typeof body.error === 'string' ? body.error : 'unknown_error';
  if (shape.errors === 'ok-false' && body.ok === false) throw providerErrorFor(provider, what, reportedError);
  if (shape.errors === 'error-field' && typeof body.error === 'string') throw providerErrorFor(provider, what, reportedError);

  const holder = shape.tokenPaths
    .map((path) => readPath(body, path))
    .find((candidate): candidate is Record<string, unknown> => isObject(candidate) && typeof candidate.access_token === 'string' && candidate.access_token !== '');
  const separator = shape.scopeSeparator ?? scopeSeparator;
  const granted = [
    ...splitScopes(body.scope, separator),
    ...(userScopeParam ? splitScopes(readPath(body, userScopeParam.responsePath), separator, userScopeParam.prefix) : []),
  ];
  const tokenType = holder?.token_type ?? body.token_type;
  const bearer = tokenType === undefined || (typeof tokenType === 'string' && shape.bearerTokenTypes.includes(tokenType));
  return {
    ...body,
    access_token: holder?.access_token,
    refresh_token: holder?.refresh_token,
    expires_in: seconds(holder?.expires_in),
    token_type: bearer ? 'bearer' : tokenType,
    scope: body.scope === undefined && granted.length === 0 ? undefined : granted.join(' '),
  };
}
