export { OAuthError, type OAuthErrorKind } from './oauth-error.js';
export type { OAuthFetch } from './oauth-fetch.js';
export type { TokenSet } from './token-set.js';
export { buildAuthorizationUrl, type AuthorizationRequest } from './authorization-url.js';
export { validateScopes } from './validate-scopes.js';
export { exchangeAuthorizationCode, refreshAccessToken, type CodeExchange } from './token-endpoint.js';
export { revokeToken, type RevocationOutcome, type RevokeOptions } from './revoke-token.js';
export { ProviderOAuthClient, createProviderOAuthClient } from './provider-oauth-client.js';
export { createResilientOAuthFetch, type ResilientOAuthFetchOptions } from './resilient-oauth-fetch.js';
