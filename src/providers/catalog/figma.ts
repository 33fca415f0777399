import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Figma. Tokens come from `api.figma.com/v1/oauth/token` and are refreshed at their own
 * `…/oauth/refresh`, whose answer has a new access token only; the client authenticates with
 * HTTP Basic. Access tokens last 90 days. Figma documents no revocation endpoint.
 * Two choices where Figma's own pages are not explicit: scopes are joined with commas (as the
 * long-standing `scope=file_read,…` requests do), and PKCE, mentioned only by third parties, is
 * not sent.
 */
export const figma = {
  id: 'figma',
  name: 'Figma',
  docs: 'https://developers.figma.com/docs/rest-api/authentication/',
  authorizationUrl: 'https://www.figma.com/oauth',
  tokenUrl: 'https://api.figma.com/v1/oauth/token',
  apiBaseUrl: 'https://api.figma.com/v1',
  scopes: [
    { name: 'current_user:read', description: 'Read the connected user’s name, email and profile image' },
    { name: 'file_content:read', description: 'Read the contents of files: nodes and layers' },
    { name: 'file_metadata:read', description: 'Read file names, projects and last modification' },
    { name: 'file_comments:read', description: 'Read comments on files' },
    { name: 'file_comments:write', description: 'Post and delete comments on files' },
    { name: 'projects:read', description: 'List the projects and files of teams' },
    { name: 'webhooks:write', description: 'Create and manage webhooks' },
  ],
  defaultScopes: ['current_user:read', 'file_content:read'],
  scopeSeparator: ',',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  refresh: { url: 'https://api.figma.com/v1/oauth/refresh' },
  revocation: { kind: 'none', reason: 'Figma has no endpoint to revoke an OAuth token; remove the app in Figma under Settings › Security › Connected apps' },
  account: { from: 'request', url: 'https://api.figma.com/v1/me', id: 'id', fields: { email: 'email', handle: 'handle' } },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
