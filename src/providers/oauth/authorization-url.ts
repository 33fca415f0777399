import type { ResolvedProvider } from '../resolve-provider.js';

export interface AuthorizationRequest {
  state: string;
  redirectUri: string;
  /** Validated scope names (see `validateScopes`); Slack user scopes carry their `user:` prefix. */
  scopes: readonly string[];
  /** S256 challenge; ignored for providers that do not take PKCE. */
  codeChallenge?: string | undefined;
}

/**
 * The provider's authorization URL with its required parameters: the entry's fixed ones
 * (Google's `access_type=offline`…), its scope separator, PKCE unless the entry refuses it,
 * and the user-scope parameter (Slack's `user_scope`) for scopes asked for with its prefix.
 */
export function buildAuthorizationUrl(provider: ResolvedProvider, request: AuthorizationRequest): string {
  const { definition } = provider;
  if (!provider.credentials) throw new Error(`provider ${provider.id} has no client credentials`);
  const url = new URL(provider.authorizationUrl);
  const params = url.searchParams;
  params.set('response_type', 'code');
  params.set('client_id', provider.credentials.clientId);
  params.set('redirect_uri', request.redirectUri);
  params.set('state', request.state);

  const requested = [...new Set([...request.scopes, ...definition.requiredScopes])];
  const userScope = definition.userScopeParam;
  const appScopes = userScope ? requested.filter((scope) => !scope.startsWith(userScope.prefix)) : requested;
  if (appScopes.length > 0) params.set('scope', appScopes.join(definition.scopeSeparator));
  if (userScope) {
    const userScopes = requested.filter((scope) => scope.startsWith(userScope.prefix)).map((scope) => scope.slice(userScope.prefix.length));
    if (userScopes.length > 0) params.set(userScope.parameter, userScopes.join(definition.scopeSeparator));
  }
  if (definition.pkce !== 'refused' && request.codeChallenge) {
    params.set('code_challenge', request.codeChallenge);
    params.set('code_challenge_method', 'S256');
  }
  for (const [name, value] of Object.entries(definition.authorizationParams)) params.set(name, value);
  return url.toString();
}
