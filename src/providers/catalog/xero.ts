import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Xero. Scopes are space-separated and `offline_access` yields a refresh token; the client
 * authenticates with HTTP Basic; access tokens live 30 minutes and each refresh answers with a
 * new refresh token. Revocation is RFC 7009 at `identity.xero.com/connect/revocation`. The
 * organisation (tenant) comes from the connections call right after connecting and every API
 * call names it in `xero-tenant-id`; a user who connected several organisations gets the first
 * one listed. With `openid` the answer carries an ID token issued by identity.xero.com.
 * PKCE is documented for public clients only, so this confidential client sends none.
 */
export const xero = {
  id: 'xero',
  name: 'Xero',
  docs: 'https://developer.xero.com/documentation/guides/oauth2/auth-flow',
  issuer: 'https://identity.xero.com',
  authorizationUrl: 'https://login.xero.com/identity/connect/authorize',
  tokenUrl: 'https://identity.xero.com/connect/token',
  apiBaseUrl: 'https://api.xero.com/api.xro/2.0',
  scopes: [
    { name: 'openid', description: 'Sign the user in' },
    { name: 'profile', description: 'See the user’s name' },
    { name: 'email', description: 'See the user’s email address' },
    { name: 'offline_access', description: 'Keep access while the user is away (refresh token)' },
    { name: 'accounting.transactions', description: 'Read and write invoices, bills, payments and bank transactions' },
    { name: 'accounting.contacts', description: 'Read and write contacts' },
    { name: 'accounting.settings', description: 'Read and write the organisation’s settings and chart of accounts' },
    { name: 'accounting.reports.read', description: 'Read reports' },
  ],
  defaultScopes: ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions', 'accounting.contacts'],
  requiredScopes: ['offline_access'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  refresh: { rotation: true },
  revocation: { kind: 'rfc7009', url: 'https://identity.xero.com/connect/revocation', authenticateClient: true },
  account: { from: 'request', url: 'https://api.xero.com/connections', id: '0.tenantId', fields: { tenantName: '0.tenantName', tenantType: '0.tenantType' } },
  learnedParams: [{ name: 'tenantId', from: 'account', path: '0.tenantId', pattern: '[A-Za-z0-9-]{1,64}' }],
  apiHeaders: { 'xero-tenant-id': '{tenantId}' },
  pagination: { style: 'page', param: 'page', limitParam: 'pageSize' },
  rateLimitHeaders: { remaining: 'x-minlimit-remaining', retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
