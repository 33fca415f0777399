import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * GitHub, as an OAuth app (web application flow).
 * - Scopes are asked for space-delimited and granted comma-joined in the answer (`"repo,gist"`).
 * - The token endpoint answers JSON only when asked (`Accept: application/json`, which we send);
 *   a bad code comes back with HTTP 200 and an `error` field (`bad_verification_code`).
 * - OAuth app tokens do not expire and come without a refresh token. (A GitHub App's user tokens
 *   expire after 8 hours with a refresh token: a deployment using one overrides `tokenResponse`
 *   and `refresh` in PROVIDERS_FILE.)
 * - PKCE (S256 only) is accepted since
 *   https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
 * - Disconnecting deletes the whole grant, authenticated as the app:
 *   https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
 */
export const github = {
  id: 'github',
  name: 'GitHub',
  docs: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
  authorizationUrl: 'https://github.com/login/oauth/authorize',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  apiBaseUrl: 'https://api.github.com',
  // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
  scopes: [
    { name: 'read:user', description: 'Read the profile of the connected GitHub user' },
    { name: 'user:email', description: 'Read the email addresses of the connected user' },
    { name: 'repo', description: 'Full control of public and private repositories' },
    { name: 'public_repo', description: 'Read and write public repositories only' },
    { name: 'read:org', description: 'Read organization and team membership' },
    { name: 'admin:repo_hook', description: 'Create and manage repository webhooks' },
    { name: 'workflow', description: 'Update GitHub Actions workflow files' },
  ],
  defaultScopes: ['read:user', 'user:email'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenResponse: { scopeSeparator: ',', errors: 'error-field', invalidGrantErrors: ['bad_verification_code', 'bad_refresh_token'], expires: false },
  refresh: { supported: false },
  revocation: {
    kind: 'client-api',
    method: 'DELETE',
    url: 'https://api.github.com/applications/{clientId}/grant',
    clientAuth: 'basic',
    tokenField: 'access_token',
    token: 'access_token',
  },
  account: { from: 'request', url: 'https://api.github.com/user', id: 'id', fields: { login: 'login', name: 'name', email: 'email' } },
  // https://docs.github.com/en/rest/about-the-rest-api/api-versions
  apiHeaders: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
  // https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
  pagination: { style: 'link-header', param: 'page', limitParam: 'per_page' },
  // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
