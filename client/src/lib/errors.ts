import type { CombinedError } from 'urql';

const FRIENDLY: Record<string, string> = {
  UNAUTHENTICATED: 'Your access token is missing, expired or invalid.',
  FORBIDDEN: 'You do not have permission to do that. Ask an administrator.',
  NOT_FOUND: 'That integration no longer exists.',
  PROVIDER_NOT_CONFIGURED: 'This provider is not configured on this deployment (its client credentials are missing).',
  PROVIDER_UNAVAILABLE: 'The provider is unavailable right now. Try again in a minute.',
  RATE_LIMITED: 'The provider is rate limiting requests. Try again in a minute.',
  OAUTH_STATE_INVALID: 'The sign-in attempt expired or was already used. Please start again.',
  OAUTH_EXCHANGE_FAILED: 'The provider did not accept the sign-in. Please try again.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again.',
};

export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A sentence a user can act on, for any urql error. */
export function describeError(error: CombinedError | Error | undefined): string {
  if (!error) return '';
  if ('graphQLErrors' in error) {
    if (error.networkError && error.graphQLErrors.length === 0) {
      return 'Cannot reach the integrations service. Check your connection and try again.';
    }
    const code = errorCode(error);
    if (code === 'BAD_USER_INPUT') return error.graphQLErrors[0]?.message ?? 'The request was not valid.';
    if (code && FRIENDLY[code]) return FRIENDLY[code];
    return error.graphQLErrors[0]?.message ?? error.message;
  }
  return error.message;
}

/** Codes that `/oauth/callback` puts in `?error=`. */
export function describeCallbackError(code: string): string {
  switch (code) {
    case 'access_denied':
      return 'Access was declined at the provider, so nothing was connected.';
    case 'OAUTH_STATE_INVALID':
    case 'invalid_state':
      return FRIENDLY.OAUTH_STATE_INVALID!;
    default:
      return FRIENDLY[code] ?? `The connection could not be completed (${code}).`;
  }
}

/**
 * What the server said about each connection param (`startConnection`'s BAD_USER_INPUT carries
 * `extensions.connectionParams`: name → "is required: …", "is not valid: …").
 */
export function connectionParamErrors(error: CombinedError | undefined): Record<string, string> {
  const details = error?.graphQLErrors[0]?.extensions?.connectionParams;
  if (!details || typeof details !== 'object') return {};
  return Object.fromEntries(Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
