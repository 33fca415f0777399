import type { BaseIntegrationClientOptions } from '../base-client.js';
import { defaultProviderSource, type ProviderSource } from '../clients/default-providers.js';
import { OAuthProviderClient } from '../clients/oauth-provider-client.js';
import type { ProviderClient } from '../clients/provider-client.js';
import { isAuthRejection, parseProviderResponse } from '../clients/provider-response.js';
import { readGoogleError } from './google-error.js';
import { buildHtmlEmail, encodeRawMessage } from './mime-message.js';
import {
  calendarEventSchema,
  calendarListPageSchema,
  driveFileSchema,
  gmailMessageSchema,
  googleUserProfileSchema,
  type CalendarEvent,
  type CalendarEventInput,
  type CalendarListEntry,
  type CreateEventOptions,
  type DriveFile,
  type GmailMessage,
  type GoogleUserProfile,
} from './google-schemas.js';

const FOLDER_MIME_TYPE = 'application/vnd.google-apps.folder';

/**
 * Google Workspace: Calendar v3, Drive v3, Gmail v1 and the OpenID userinfo endpoint, all on
 * the provider's API base URL (`GOOGLE_API_BASE_URL`; Google serves every one of these APIs on
 * www.googleapis.com). OAuth is delegated to the shared protocol module.
 *
 * Google revokes the whole grant given either token
 * (https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke).
 */
export class GoogleClient extends OAuthProviderClient implements ProviderClient {
  /**
   * @param providerSource the resolved provider @default the deployment's configured Google
   * @param options retry, timeout and breaker settings @default the resilience layer's
   */
  constructor(providerSource: ProviderSource = defaultProviderSource('google'), options?: BaseIntegrationClientOptions) {
    super('google', providerSource, { readError: readGoogleError, ...options });
  }

  /** Every calendar on the user's calendar list, following `nextPageToken` to the last page. */
  async listCalendars(accessToken: string): Promise<CalendarListEntry[]> {
    const calendars: CalendarListEntry[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ maxResults: '250' });
      if (pageToken) query.set('pageToken', pageToken);
      const page = parseProviderResponse(
        'google',
        calendarListPageSchema,
        await this.request<unknown>({ url: `${this.apiBaseUrl}/calendar/v3/users/me/calendarList?${query}`, method: 'GET', headers: bearer(accessToken) }),
      );
      calendars.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return calendars;
  }

  /**
   * events.insert (https://developers.google.com/workspace/calendar/api/v3/reference/events/insert),
   * inviting the attendees unless `options.sendUpdates` says otherwise.
   */
  async createEvent(accessToken: string, calendarId: string, event: CalendarEventInput, options: CreateEventOptions = {}): Promise<CalendarEvent> {
    const query = new URLSearchParams({ sendUpdates: options.sendUpdates ?? 'all' });
    const body = await this.request<unknown>({
      url: `${this.apiBaseUrl}/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?${query}`,
      method: 'POST',
      headers: bearer(accessToken),
      body: event,
    });
    return parseProviderResponse('google', calendarEventSchema, body);
  }

  /**
   * A Drive folder is a file with the folder MIME type (https://developers.google.com/drive/api/guides/folder).
   * `supportsAllDrives=true` lets the parent be in a shared drive: without it Drive answers 404 for
   * a shared drive's folders (https://developers.google.com/drive/api/guides/enable-shareddrives).
   */
  async createFolder(accessToken: string, name: string, parentId?: string): Promise<DriveFile> {
    const body = await this.request<unknown>({
      url: `${this.apiBaseUrl}/drive/v3/files?supportsAllDrives=true`,
      method: 'POST',
      headers: bearer(accessToken),
      body: { name, mimeType: FOLDER_MIME_TYPE, ...(parentId ? { parents: [parentId] } : {}) },
    });
    return parseProviderResponse('google', driveFileSchema, body);
  }

  /**
   * Sends an HTML email as the connected user (users.messages.send with a base64url RFC 2822
   * `raw` message). Refuses recipients or subjects that could inject headers.
   */
  async sendEmail(accessToken: string, to: string | readonly string[], subject: string, html: string): Promise<GmailMessage> {
    const raw = encodeRawMessage(buildHtmlEmail({ to, subject, html }));
    const body = await this.request<unknown>({
      url: `${this.apiBaseUrl}/gmail/v1/users/me/messages/send`,
      method: 'POST',
      headers: bearer(accessToken),
      body: { raw },
    });
    return parseProviderResponse('google', gmailMessageSchema, body);
  }

  async getUserProfile(accessToken: string): Promise<GoogleUserProfile> {
    const body = await this.request<unknown>({ url: `${this.apiBaseUrl}/oauth2/v3/userinfo`, method: 'GET', headers: bearer(accessToken) });
    return parseProviderResponse('google', googleUserProfileSchema, body);
  }

  /**
   * True when Google accepts the token, false when it rejects it (401, or a 403 for a scope it
   * lacks). Other failures (Google down or rate limiting, circuit open) are thrown: they say
   * nothing about the token.
   */
  async testConnection(accessToken: string): Promise<boolean> {
    try {
      await this.getUserProfile(accessToken);
      return true;
    } catch (error) {
      if (isAuthRejection(error)) return false;
      throw error;
    }
  }
}

const bearer = (accessToken: string): Record<string, string> => ({ Authorization: `Bearer ${accessToken}` });

export const googleClient = new GoogleClient();
