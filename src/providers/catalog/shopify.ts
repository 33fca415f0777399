import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Shopify, for one store (its myshopify.com name asked of the user). Scopes are comma-separated,
 * no PKCE; the code is exchanged with the client id and secret and answers an offline token that
 * never expires, without a refresh token (expiring offline tokens are opt-in with `expiring=1`,
 * which this entry does not ask for). The Admin API takes the token in `X-Shopify-Access-Token`.
 * There is no OAuth revocation: the merchant uninstalls the app. `SHOPIFY_API_VERSION` picks the
 * Admin API version (Shopify supports each for about a year).
 */
export const shopify = {
  id: 'shopify',
  name: 'Shopify',
  docs: 'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant',
  authorizationUrl: 'https://{shop}.myshopify.com/admin/oauth/authorize',
  tokenUrl: 'https://{shop}.myshopify.com/admin/oauth/access_token',
  apiBaseUrl: 'https://{shop}.myshopify.com/admin/api/{apiVersion}',
  connectionParams: [{ name: 'shop', description: 'Your store’s myshopify.com name (acme in acme.myshopify.com)', pattern: '[A-Za-z0-9][A-Za-z0-9-]{0,62}', example: 'acme' }],
  configParams: [{ name: 'apiVersion', description: 'the Admin API version, such as 2026-07', default: '2026-07', pattern: '[0-9]{4}-(01|04|07|10)' }],
  scopes: [
    { name: 'read_products', description: 'Read products, variants and collections' },
    { name: 'write_products', description: 'Create and change products' },
    { name: 'read_orders', description: 'Read orders of the last 60 days' },
    { name: 'write_orders', description: 'Create and change orders' },
    { name: 'read_customers', description: 'Read customers' },
  ],
  defaultScopes: ['read_products', 'read_orders'],
  scopeSeparator: ',',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenResponse: { expires: false },
  refresh: { supported: false },
  revocation: { kind: 'none', reason: 'Shopify access tokens stay valid until the app is uninstalled from the store (Settings › Apps in the Shopify admin)' },
  account: {
    from: 'request',
    url: 'https://{shop}.myshopify.com/admin/api/{apiVersion}/shop.json',
    id: 'shop.id',
    fields: { name: 'shop.name', domain: 'shop.myshopify_domain', email: 'shop.email' },
  },
  apiAuthorization: { header: 'x-shopify-access-token', prefix: '' },
  pagination: { style: 'link-header', param: 'page_info', limitParam: 'limit' },
  rateLimitHeaders: { limit: 'x-shopify-shop-api-call-limit', retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
