import { BaseIntegrationClient, type BaseIntegrationClientOptions } from '../base-client.js';
import { defaultProviderSource, oauthClientFor, resolveSource, type ProviderSource } from '../clients/default-providers.js';
import type { ProviderClient } from '../clients/provider-client.js';
import { isAuthRejection, parseProviderResponse } from '../clients/provider-response.js';
import type { RevocationOutcome } from '../oauth/revoke-token.js';
import type { TokenSet } from '../oauth/token-set.js';
import {
  asanaTaskResponseSchema,
  asanaWorkspacePageSchema,
  type AsanaTask,
  type AsanaTaskInput,
  type AsanaWorkspace,
} from './asana-schemas.js';

// Asana pages only when asked for a `limit` (at most 100): https://developers.asana.com/docs/pagination
const PAGE_SIZE = '100';

/**
 * Asana, written the way the seed's "Creating Custom Providers" section shows a user adding a
 * provider: extend `BaseIntegrationClient`, name the service, give the API base URL. Its
 * endpoints and scopes are data in the provider registry like the built-ins', so connecting,
 * refreshing and revoking work through the same OAuth module.
 */
export class AsanaClient extends BaseIntegrationClient implements ProviderClient {
  protected serviceName = 'asana';

  /**
   * @param providerSource the resolved provider @default the deployment's configured Asana
   * @param options retry, timeout and breaker settings @default the resilience layer's
   */
  constructor(
    private readonly providerSource: ProviderSource = defaultProviderSource('asana'),
    options?: BaseIntegrationClientOptions,
  ) {
    super(undefined, options);
  }

  /** `https://app.asana.com/api/1.0` unless `ASANA_API_BASE_URL` says otherwise (read per call). */
  protected get baseUrl(): string {
    return resolveSource(this.providerSource).apiBaseUrl;
  }

  getAuthorizationUrl(state: string, redirectUri: string, scopes?: readonly string[], codeChallenge?: string): string {
    return oauthClientFor(this.providerSource).getAuthorizationUrl(state, redirectUri, scopes, codeChallenge);
  }

  exchangeCodeForToken(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet> {
    return oauthClientFor(this.providerSource).exchangeCodeForToken(code, redirectUri, codeVerifier);
  }

  /** Asana access tokens live an hour; its refresh tokens do not rotate. */
  refreshToken(refreshToken: string): Promise<TokenSet> {
    return oauthClientFor(this.providerSource).refreshToken(refreshToken);
  }

  /** https://developers.asana.com/docs/oauth#token-deauthorization-endpoint */
  revokeToken(token: string): Promise<RevocationOutcome> {
    return oauthClientFor(this.providerSource).revokeToken(token);
  }

  /** Every workspace the user belongs to, following `next_page.offset` to the end. */
  async getWorkspaces(accessToken: string): Promise<AsanaWorkspace[]> {
    const workspaces: AsanaWorkspace[] = [];
    let offset: string | undefined;
    do {
      const query = new URLSearchParams({ limit: PAGE_SIZE });
      if (offset) query.set('offset', offset);
      const page = parseProviderResponse(
        'asana',
        asanaWorkspacePageSchema,
        await this.request<unknown>({
          url: `${this.baseUrl}/workspaces?${query}`,
          method: 'GET',
          headers: { Authorization: `Bearer ${accessToken}` },
        }),
      );
      workspaces.push(...page.data);
      offset = page.next_page?.offset;
    } while (offset);
    return workspaces;
  }

  async createTask(accessToken: string, workspaceId: string, task: AsanaTaskInput): Promise<AsanaTask> {
    const body = await this.request<unknown>({
      url: `${this.baseUrl}/tasks`,
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}` },
      body: { data: { ...task, workspace: workspaceId } },
    });
    return parseProviderResponse('asana', asanaTaskResponseSchema, body).data;
  }

  /** True when Asana accepts the token, false when it refuses it (401); outages and other refusals are thrown. */
  async testConnection(accessToken: string): Promise<boolean> {
    try {
      await this.getWorkspaces(accessToken);
      return true;
    } catch (error) {
      if (isAuthRejection(error)) return false;
      throw error;
    }
  }
}

export const asanaClient = new AsanaClient();
