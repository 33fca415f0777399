import type { z } from 'zod';
import type { BaseIntegrationClientOptions } from '../base-client.js';
import { defaultProviderSource, type ProviderSource } from '../clients/default-providers.js';
import { OAuthProviderClient } from '../clients/oauth-provider-client.js';
import type { ProviderClient } from '../clients/provider-client.js';
import { isAuthRejection, parseProviderResponse } from '../clients/provider-response.js';
import { IntegrationError, IntegrationErrorCode } from '../integration-error.js';
import { readGraphError } from './graph-error.js';
import {
  graphCalendarSchema,
  graphChannelSchema,
  graphChatMessageSchema,
  graphEventSchema,
  graphPageSchema,
  graphTeamSchema,
  graphUserSchema,
  type GraphCalendar,
  type GraphChannel,
  type GraphChatMessage,
  type GraphEvent,
  type GraphEventInput,
  type GraphMailInput,
  type GraphTeam,
  type GraphUser,
} from './graph-schemas.js';

/**
 * Microsoft Graph v1.0 (`MICROSOFT_API_BASE_URL`) with tokens from the identity platform v2
 * endpoints, tenant in the path (see the registry). Collections are followed through
 * `@odata.nextLink` to the last page.
 *
 * OAuth quirks: `offline_access` is always added (the registry's required scope) so a refresh token is
 * issued, and refresh tokens rotate: store the one in the result. `revokeToken` always answers `{ revoked:
 * false, reason }`: the identity platform has no endpoint to revoke one app's tokens (Graph's
 * `revokeSignInSessions` would sign the user out of every app); disconnecting wipes our copy and the user
 * removes the grant at https://myapps.microsoft.com.
 */
export class MicrosoftClient extends OAuthProviderClient implements ProviderClient {
  /**
   * @param providerSource the resolved provider @default the deployment's configured Microsoft
   * @param options retry, timeout and breaker settings @default the resilience layer's
   */
  constructor(providerSource: ProviderSource = defaultProviderSource('microsoft'), options?: BaseIntegrationClientOptions) {
    super('microsoft', providerSource, { readError: readGraphError, ...options });
  }

  async getUserProfile(accessToken: string): Promise<GraphUser> {
    return this.get(accessToken, `${this.apiBaseUrl}/me`, graphUserSchema);
  }

  listJoinedTeams(accessToken: string): Promise<GraphTeam[]> {
    return this.list(accessToken, `${this.apiBaseUrl}/me/joinedTeams`, graphTeamSchema);
  }

  listChannels(accessToken: string, teamId: string): Promise<GraphChannel[]> {
    return this.list(accessToken, `${this.apiBaseUrl}/teams/${encodeURIComponent(teamId)}/channels`, graphChannelSchema);
  }

  /** Posts an HTML message (https://learn.microsoft.com/en-us/graph/api/channel-post-messages). */
  async sendChannelMessage(accessToken: string, teamId: string, channelId: string, html: string): Promise<GraphChatMessage> {
    const body = await this.request<unknown>({
      url: `${this.apiBaseUrl}/teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channelId)}/messages`,
      method: 'POST',
      headers: bearer(accessToken),
      body: { body: { contentType: 'html', content: html } },
    });
    return parseProviderResponse('microsoft', graphChatMessageSchema, body);
  }

  listCalendars(accessToken: string): Promise<GraphCalendar[]> {
    return this.list(accessToken, `${this.apiBaseUrl}/me/calendars`, graphCalendarSchema);
  }

  /** Creates an event in the given calendar, or in the user's default one (https://learn.microsoft.com/en-us/graph/api/user-post-events). */
  async createEvent(accessToken: string, event: GraphEventInput, calendarId?: string): Promise<GraphEvent> {
    const path = calendarId ? `/me/calendars/${encodeURIComponent(calendarId)}/events` : '/me/events';
    const body = await this.request<unknown>({ url: `${this.apiBaseUrl}${path}`, method: 'POST', headers: bearer(accessToken), body: event });
    return parseProviderResponse('microsoft', graphEventSchema, body);
  }

  /** Sends an HTML mail as the user; Graph answers 202 with no body (https://learn.microsoft.com/en-us/graph/api/user-sendmail). */
  async sendMail(accessToken: string, mail: GraphMailInput): Promise<void> {
    const recipients = typeof mail.to === 'string' ? [mail.to] : mail.to;
    await this.request<unknown>({
      url: `${this.apiBaseUrl}/me/sendMail`,
      method: 'POST',
      headers: bearer(accessToken),
      body: {
        message: {
          subject: mail.subject,
          body: { contentType: 'HTML', content: mail.html },
          toRecipients: recipients.map((address) => ({ emailAddress: { address } })),
        },
        saveToSentItems: mail.saveToSentItems ?? true,
      },
    });
  }

  /** True when Graph accepts the token for `/me`, false when it refuses it (401, or a 403 for a permission it lacks); outages are thrown. */
  async testConnection(accessToken: string): Promise<boolean> {
    try {
      await this.getUserProfile(accessToken);
      return true;
    } catch (error) {
      if (isAuthRejection(error)) return false;
      throw error;
    }
  }

  private async get<S extends z.ZodType>(accessToken: string, url: string, schema: S): Promise<z.infer<S>> {
    const body = await this.request<unknown>({ url, method: 'GET', headers: bearer(accessToken) });
    return parseProviderResponse('microsoft', schema, body);
  }

  /** Reads a collection to the end. nextLink is used as given (Graph says not to edit it). */
  private async list<S extends z.ZodType>(accessToken: string, firstPage: string, item: S): Promise<z.infer<S>[]> {
    const items: z.infer<S>[] = [];
    const page = graphPageSchema(item);
    const origin = new URL(this.apiBaseUrl).origin;
    let next: string | undefined = firstPage;
    while (next) {
      // The token goes only to Graph: a nextLink pointing elsewhere is not followed.
      if (new URL(next).origin !== origin) {
        throw new IntegrationError('Microsoft Graph returned a nextLink to another host', {
          service: 'microsoft',
          code: IntegrationErrorCode.PROVIDER_RESPONSE_INVALID,
          kind: 'INVALID_RESPONSE',
          providerFault: true,
        });
      }
      const result: z.infer<typeof page> = await this.get(accessToken, next, page);
      items.push(...result.value);
      next = result['@odata.nextLink'];
    }
    return items;
  }
}

const bearer = (accessToken: string): Record<string, string> => ({ Authorization: `Bearer ${accessToken}` });

export const microsoftClient = new MicrosoftClient();
