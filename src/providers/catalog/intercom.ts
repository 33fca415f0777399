import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Intercom. Permissions are set on the app, so the authorization request names no scopes; the
 * code is exchanged with the client id and secret at `auth/eagle/token`, and the token never
 * expires (no refresh token). Disconnecting uninstalls the app with the token as bearer:
 * https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/installing-uninstalling-apps#revoking-access
 * The workspace (`app.id_code`, the `app_id` of webhook notifications) is the account. Workspaces
 * hosted in the EU or Australia use regional hosts: override the endpoints
 * (`INTERCOM_AUTHORIZATION_URL`, `_TOKEN_URL`, `_API_BASE_URL`, `_REVOCATION_URL`).
 * PKCE is not documented for Intercom, so none is sent.
 */
export const intercom = {
  id: 'intercom',
  name: 'Intercom',
  docs: 'https://developers.intercom.com/building-apps/docs/setting-up-oauth',
  authorizationUrl: 'https://app.intercom.com/oauth',
  tokenUrl: 'https://api.intercom.io/auth/eagle/token',
  apiBaseUrl: 'https://api.intercom.io',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenResponse: { expires: false },
  refresh: { supported: false },
  revocation: { kind: 'bearer-api', url: 'https://api.intercom.io/auth/uninstall' },
  account: { from: 'request', url: 'https://api.intercom.io/me', id: 'app.id_code', fields: { adminId: 'id', email: 'email', workspaceName: 'app.name' } },
  pagination: { style: 'cursor', param: 'starting_after', nextPath: 'pages.next.starting_after', limitParam: 'per_page' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
