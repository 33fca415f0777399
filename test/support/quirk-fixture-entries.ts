import type { ProviderEntryInput } from '../../src/providers/provider-definition.js';

/**
 * Made-up entries with the shapes that real catalog entries need (and that the four built-ins
 * do not use), modelled on the named providers' documented behaviour. The conformance test runs
 * each one whose combination of quirks no registry entry covers yet, so the schema's fields are
 * proven end to end before and after the catalog grows.
 */
export const QUIRK_FIXTURE_ENTRIES: readonly ProviderEntryInput[] = [
  {
    // GitHub-like: a form-encoded answer, errors with 200, comma scopes in the answer, the
    // account from `GET /user` (numeric id), non-expiring tokens, grant deletion as the client.
    id: 'fixture-form',
    name: 'Fixture (form answers)',
    docs: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
    authorizationUrl: 'https://github.example/login/oauth/authorize',
    tokenUrl: 'https://github.example/login/oauth/access_token',
    apiBaseUrl: 'https://api.github.example',
    scopes: [
      { name: 'repo', description: 'Repositories' },
      { name: 'read:user', description: 'Profile' },
    ],
    defaultScopes: ['repo', 'read:user'],
    pkce: 'supported',
    tokenEndpointAuthMethod: 'client_secret_post',
    tokenResponse: { format: 'form', errors: 'error-field', scopeSeparator: ',', expires: false },
    refresh: { supported: false },
    revocation: { kind: 'client-api', method: 'DELETE', url: 'https://api.github.example/applications/{clientId}/grant', tokenField: 'access_token', token: 'access_token' },
    account: { from: 'request', url: 'https://api.github.example/user', id: 'id', fields: { login: 'login' } },
    apiHeaders: { 'x-api-version': '2022-11-28' },
  },
  {
    // Notion-like: HTTP Basic with a JSON token request, the workspace in the token answer, no revocation.
    id: 'fixture-json',
    name: 'Fixture (JSON token requests)',
    docs: 'https://developers.notion.com/docs/authorization',
    authorizationUrl: 'https://notion.example/v1/oauth/authorize',
    tokenUrl: 'https://notion.example/v1/oauth/token',
    apiBaseUrl: 'https://notion.example/v1',
    authorizationParams: { owner: 'user' },
    pkce: 'refused',
    tokenEndpointAuthMethod: 'client_secret_basic',
    tokenRequest: { body: 'json' },
    refresh: { rotation: true },
    revocation: { kind: 'none', reason: 'Remove the integration in the workspace settings' },
    account: { from: 'token_response', id: 'workspace_id', fields: { workspaceName: 'workspace_name' } },
  },
  {
    // Zendesk/ClickUp-like: a subdomain the user gives, the token request in the query string, a
    // bare token in API calls, revocation by DELETE with the token itself.
    id: 'fixture-subdomain',
    name: 'Fixture (subdomain)',
    docs: 'https://developer.zendesk.com/api-reference/ticketing/oauth/oauth_tokens/',
    authorizationUrl: 'https://{subdomain}.helpdesk.example/oauth/authorizations/new',
    tokenUrl: 'https://{subdomain}.helpdesk.example/oauth/tokens',
    userinfoUrl: 'https://{subdomain}.helpdesk.example/api/v2/users/me.json',
    apiBaseUrl: 'https://{subdomain}.helpdesk.example/api/v2',
    scopes: [{ name: 'read', description: 'Read' }],
    defaultScopes: ['read'],
    pkce: 'required',
    tokenEndpointAuthMethod: 'client_secret_post',
    tokenRequest: { body: 'query' },
    connectionParams: [{ name: 'subdomain', description: 'Your subdomain (acme in acme.helpdesk.example)', example: 'acme' }],
    revocation: { kind: 'bearer-api', method: 'DELETE', url: 'https://{subdomain}.helpdesk.example/api/v2/oauth/tokens/current.json' },
    apiAuthorization: { prefix: '' },
  },
  {
    // Salesforce/Figma-like: the instance URL learned from the token answer opens the API and
    // account URLs; refreshes go to their own URL; RFC 7009 without client authentication.
    id: 'fixture-instance',
    name: 'Fixture (instance URL)',
    docs: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm',
    authorizationUrl: 'https://login.crm.example/services/oauth2/authorize',
    tokenUrl: 'https://login.crm.example/services/oauth2/token',
    apiBaseUrl: '{instanceUrl}/services/data/v62.0',
    scopes: [
      { name: 'api', description: 'API' },
      { name: 'refresh_token', description: 'Offline' },
    ],
    defaultScopes: ['api', 'refresh_token'],
    pkce: 'supported',
    tokenEndpointAuthMethod: 'client_secret_post',
    refresh: { url: 'https://login.crm.example/services/oauth2/refresh' },
    revocation: { kind: 'rfc7009', url: 'https://login.crm.example/services/oauth2/revoke', authenticateClient: false },
    learnedParams: [{ name: 'instanceUrl', from: 'token_response', path: 'instance_url', pattern: 'https?://[A-Za-z0-9.:-]+' }],
    account: { from: 'request', url: '{instanceUrl}/services/oauth2/userinfo', id: 'user_id', fields: { organizationId: 'organization_id' } },
  },
  {
    // Atlassian/HubSpot/QuickBooks-like: the cloud id from a list the account lookup answers, a
    // value on the callback, revocation with the token in the URL and no authentication.
    id: 'fixture-resources',
    name: 'Fixture (accessible resources)',
    docs: 'https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/',
    authorizationUrl: 'https://auth.cloud.example/authorize',
    tokenUrl: 'https://auth.cloud.example/oauth/token',
    apiBaseUrl: 'https://api.cloud.example/ex/jira/{cloudId}',
    scopes: [
      { name: 'read:jira-work', description: 'Read' },
      { name: 'offline_access', description: 'Offline' },
    ],
    defaultScopes: ['read:jira-work', 'offline_access'],
    scopeSeparator: ',',
    authorizationParams: { audience: 'api.cloud.example', prompt: 'consent' },
    pkce: 'supported',
    tokenEndpointAuthMethod: 'client_secret_basic',
    refresh: { rotation: true },
    revocation: { kind: 'client-api', method: 'DELETE', url: 'https://api.cloud.example/oauth/v1/refresh-tokens/{token}', clientAuth: 'none', token: 'refresh_token' },
    account: { from: 'request', url: 'https://api.cloud.example/oauth/token/accessible-resources', id: '0.id', fields: { site: '0.name' } },
    learnedParams: [
      { name: 'cloudId', from: 'account', path: '0.id' },
      { name: 'realmId', from: 'callback', path: 'realmId' },
    ],
  },
];
