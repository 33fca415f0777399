import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * GitLab (gitlab.com, or a self-managed instance through `GITLAB_HOST`), whose OAuth server is
 * Doorkeeper: PKCE supported, access tokens live 2 hours, and a refresh answers with a new
 * refresh token and invalidates the previous pair. Revocation is RFC 7009 at `/oauth/revoke`,
 * authenticated as the client. With `openid` requested, the ID token's issuer is the instance.
 */
export const gitlab = {
  id: 'gitlab',
  name: 'GitLab',
  docs: 'https://docs.gitlab.com/api/oauth2/',
  issuer: 'https://{host}',
  authorizationUrl: 'https://{host}/oauth/authorize',
  tokenUrl: 'https://{host}/oauth/token',
  userinfoUrl: 'https://{host}/oauth/userinfo',
  apiBaseUrl: 'https://{host}/api/v4',
  configParams: [
    // A port would be percent-encoded inside the host: instances on another port override the endpoints instead.
    { name: 'host', description: 'the GitLab instance: gitlab.com or your self-managed host name', default: 'gitlab.com', pattern: '[A-Za-z0-9][A-Za-z0-9.-]{0,252}' },
  ],
  scopes: [
    { name: 'read_user', description: 'Read the profile of the connected GitLab user' },
    { name: 'read_api', description: 'Read access to the API: projects, groups, issues, merge requests' },
    { name: 'api', description: 'Full read and write access to the API' },
    { name: 'read_repository', description: 'Read (pull) repositories over Git-over-HTTP and the API' },
    { name: 'write_repository', description: 'Push to repositories over Git-over-HTTP' },
    { name: 'openid', description: 'Sign the user in with OpenID Connect' },
    { name: 'email', description: 'See the email address of the connected user' },
  ],
  defaultScopes: ['read_user', 'read_api'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  refresh: { rotation: true },
  revocation: { kind: 'rfc7009', url: 'https://{host}/oauth/revoke', authenticateClient: true },
  account: { from: 'request', url: 'https://{host}/api/v4/user', id: 'id', fields: { username: 'username', name: 'name', email: 'email' } },
  pagination: { style: 'link-header', param: 'page', limitParam: 'per_page' },
  rateLimitHeaders: { limit: 'ratelimit-limit', remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
} satisfies ProviderEntryInput;
