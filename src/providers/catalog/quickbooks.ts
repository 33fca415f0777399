import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * QuickBooks Online (Intuit). The company chosen at consent comes back on the callback as
 * `realmId`, which opens the API base, and in the ID token as `realmid`, which routes webhooks;
 * `openid` is always asked for so the ID token is there. The client authenticates with HTTP
 * Basic; access tokens live an hour and refreshes may answer with a new refresh token, which
 * replaces the stored one. Revocation is Intuit's JSON API (`{ "token": … }`), authenticated as
 * the client. Issuer and endpoints are those of Intuit's discovery document
 * (https://developer.api.intuit.com/.well-known/openid_configuration). PKCE is not documented
 * for Intuit, so none is sent. `QUICKBOOKS_API_HOST=sandbox-quickbooks.api.intuit.com` for
 * sandbox companies.
 */
export const quickbooks = {
  id: 'quickbooks',
  name: 'QuickBooks Online',
  docs: 'https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0',
  issuer: 'https://oauth.platform.intuit.com/op/v1',
  authorizationUrl: 'https://appcenter.intuit.com/connect/oauth2',
  tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  userinfoUrl: 'https://accounts.platform.intuit.com/v1/openid_connect/userinfo',
  apiBaseUrl: 'https://{apiHost}/v3/company/{realmId}',
  configParams: [
    { name: 'apiHost', description: 'quickbooks.api.intuit.com, or sandbox-quickbooks.api.intuit.com for sandbox companies', default: 'quickbooks.api.intuit.com', pattern: '(sandbox-)?quickbooks\\.api\\.intuit\\.com' },
  ],
  scopes: [
    { name: 'com.intuit.quickbooks.accounting', description: 'Read and write the company’s accounting data' },
    { name: 'com.intuit.quickbooks.payment', description: 'Process payments with QuickBooks Payments' },
    { name: 'openid', description: 'Identify the connected user and company' },
    { name: 'profile', description: 'See the user’s name' },
    { name: 'email', description: 'See the user’s email address' },
  ],
  defaultScopes: ['com.intuit.quickbooks.accounting', 'openid'],
  requiredScopes: ['openid'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  refresh: { rotation: true },
  revocation: { kind: 'client-api', url: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke', clientAuth: 'basic', tokenField: 'token' },
  learnedParams: [{ name: 'realmId', from: 'callback', path: 'realmId', pattern: '[0-9]{1,32}' }],
  account: { from: 'id_token', id: 'realmid', fields: { userId: 'sub' } },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
