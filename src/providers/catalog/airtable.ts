import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Airtable. PKCE (S256) is required even for confidential clients, which also authenticate with
 * HTTP Basic; scopes are space-separated; access tokens live an hour and a refresh token can be
 * used once, each refresh answering with the next one. Airtable documents no revocation
 * endpoint. `user.email:read` is what lets `whoami` answer the email.
 */
export const airtable = {
  id: 'airtable',
  name: 'Airtable',
  docs: 'https://airtable.com/developers/web/api/oauth-reference',
  authorizationUrl: 'https://airtable.com/oauth2/v1/authorize',
  tokenUrl: 'https://airtable.com/oauth2/v1/token',
  apiBaseUrl: 'https://api.airtable.com/v0',
  scopes: [
    { name: 'data.records:read', description: 'Read records of the bases the user grants' },
    { name: 'data.records:write', description: 'Create, edit and delete records' },
    { name: 'data.recordComments:read', description: 'Read comments on records' },
    { name: 'schema.bases:read', description: 'Read the structure of bases: tables, fields and views' },
    { name: 'webhook:manage', description: 'Create and manage webhooks on bases' },
    { name: 'user.email:read', description: 'See the connected user’s email address' },
  ],
  defaultScopes: ['data.records:read', 'schema.bases:read', 'user.email:read'],
  pkce: 'required',
  tokenEndpointAuthMethod: 'client_secret_basic',
  refresh: { rotation: true },
  revocation: { kind: 'none', reason: 'Airtable has no endpoint to revoke an OAuth token; remove the integration in Airtable under Account › Integrations › Third-party integrations' },
  account: { from: 'request', url: 'https://api.airtable.com/v0/meta/whoami', id: 'id', fields: { email: 'email' } },
  // The answer's `offset` asks for the next page.
  pagination: { style: 'cursor', param: 'offset', nextPath: 'offset', limitParam: 'pageSize' },
} satisfies ProviderEntryInput;
