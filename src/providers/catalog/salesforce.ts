import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Salesforce (web server flow). The token answer carries `instance_url`, the org's own host,
 * which opens the API base and the account lookup; it has no `expires_in` (the org's session
 * timeout governs), so the access token is refreshed when Salesforce refuses it. `refresh_token`
 * must be requested for a refresh token, which does not rotate. Revocation is RFC 7009 without
 * client authentication:
 * https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-revoking-tokens.html
 * `SALESFORCE_LOGIN_HOST` picks test.salesforce.com (sandboxes) or a My Domain; the org id routes
 * its outbound messages and events.
 */
export const salesforce = {
  id: 'salesforce',
  name: 'Salesforce',
  docs: 'https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm&type=5',
  issuer: 'https://{loginHost}',
  authorizationUrl: 'https://{loginHost}/services/oauth2/authorize',
  tokenUrl: 'https://{loginHost}/services/oauth2/token',
  apiBaseUrl: '{instanceUrl}/services/data/v{apiVersion}',
  configParams: [
    {
      name: 'loginHost',
      description: 'where users sign in: login.salesforce.com, test.salesforce.com for sandboxes, or a My Domain such as acme.my.salesforce.com',
      default: 'login.salesforce.com',
      pattern: '[A-Za-z0-9][A-Za-z0-9.-]{0,252}',
    },
    { name: 'apiVersion', description: 'the REST API version, such as 62.0', default: '62.0', pattern: '[0-9]{2,3}\\.0' },
  ],
  scopes: [
    { name: 'api', description: 'Access the org’s data through the REST and Bulk APIs' },
    { name: 'refresh_token', description: 'Keep access while the user is away (refresh token)' },
    { name: 'id', description: 'Read the identity of the connected user' },
    { name: 'openid', description: 'Sign the user in with OpenID Connect' },
    { name: 'chatter_api', description: 'Access Chatter (Connect REST API) resources' },
  ],
  defaultScopes: ['api', 'refresh_token', 'id'],
  requiredScopes: ['refresh_token'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenResponse: { expires: false },
  revocation: { kind: 'rfc7009', url: 'https://{loginHost}/services/oauth2/revoke', authenticateClient: false },
  learnedParams: [{ name: 'instanceUrl', from: 'token_response', path: 'instance_url', pattern: 'https?://[A-Za-z0-9.:-]+' }],
  account: {
    from: 'request',
    url: '{instanceUrl}/services/oauth2/userinfo',
    id: 'organization_id',
    fields: { userId: 'user_id', username: 'preferred_username', email: 'email' },
  },
  pagination: { style: 'next-url', nextPath: 'nextRecordsUrl' },
} satisfies ProviderEntryInput;
