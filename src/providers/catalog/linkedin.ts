import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * LinkedIn (three-legged OAuth with Sign In with LinkedIn using OpenID Connect). Scopes are
 * space-separated; the client id and secret go in the form. Access tokens last 60 days and
 * refresh tokens are issued only to approved Marketing partners, so an expired token means
 * connecting again. `openid` is always asked for: the ID token (issuer
 * `https://www.linkedin.com/oauth`) names the member. Revocation is `POST /oauth/v2/revoke` with
 * the client credentials and the token. LinkedIn documents PKCE for native clients only, so this
 * web client sends none.
 */
export const linkedin = {
  id: 'linkedin',
  name: 'LinkedIn',
  docs: 'https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow',
  issuer: 'https://www.linkedin.com/oauth',
  authorizationUrl: 'https://www.linkedin.com/oauth/v2/authorization',
  tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
  userinfoUrl: 'https://api.linkedin.com/v2/userinfo',
  apiBaseUrl: 'https://api.linkedin.com',
  scopes: [
    { name: 'openid', description: 'Sign the member in' },
    { name: 'profile', description: 'See the member’s name and photo' },
    { name: 'email', description: 'See the member’s primary email address' },
    { name: 'w_member_social', description: 'Post, comment and react as the member' },
  ],
  defaultScopes: ['openid', 'profile', 'email'],
  requiredScopes: ['openid'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  refresh: { supported: false },
  revocation: { kind: 'rfc7009', url: 'https://www.linkedin.com/oauth/v2/revoke', authenticateClient: true },
  account: { from: 'id_token', id: 'sub', fields: { name: 'name', email: 'email' } },
  pagination: { style: 'offset', param: 'start', limitParam: 'count' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
