import type { z } from 'zod';
import type { BaseIntegrationClientOptions } from '../base-client.js';
import { defaultProviderSource, type ProviderSource } from '../clients/default-providers.js';
import { OAuthProviderClient } from '../clients/oauth-provider-client.js';
import type { ProviderClient } from '../clients/provider-client.js';
import { isAuthRejection, parseProviderResponse } from '../clients/provider-response.js';
import { readSlackError } from './slack-error.js';
import {
  authTestSchema,
  completeUploadSchema,
  conversationsCreateSchema,
  conversationsListSchema,
  postMessageSchema,
  slackEnvelopeSchema,
  uploadUrlSchema,
  usersInfoSchema,
  type SlackAuthTest,
  type SlackConversation,
  type SlackPostedMessage,
  type SlackUploadedFile,
  type SlackUser,
} from './slack-schemas.js';

/**
 * How a Web API method takes its arguments. Methods that document JSON get a JSON body;
 * the rest get a query string (GET) or a form body, which every method accepts:
 * https://docs.slack.dev/apis/web-api/#posting_json
 */
type SlackArguments = { get: Record<string, string> } | { json: Record<string, unknown> } | { form: Record<string, string> };

// Slack recommends no more than 200 results per page: https://docs.slack.dev/apis/web-api/pagination
const PAGE_SIZE = '200';

/**
 * Slack Web API. Its quirk: failures come back as HTTP 200 with `ok: false`, so the resilient
 * client reads every answer with {@link readSlackError}, and a failed one becomes an
 * `IntegrationError` carrying Slack's `error` (a rate limit is waited for and retried).
 *
 * OAuth quirks: no PKCE for confidential clients and comma-joined scopes (see the registry); `refreshToken`
 * only for apps with token rotation on, otherwise Slack tokens do not expire; `revokeToken` is
 * `auth.revoke` with the token itself (https://docs.slack.dev/reference/methods/auth.revoke).
 */
export class SlackClient extends OAuthProviderClient implements ProviderClient {
  /**
   * @param providerSource the resolved provider @default the deployment's configured Slack
   * @param options retry, timeout and breaker settings @default the resilience layer's
   */
  constructor(providerSource: ProviderSource = defaultProviderSource('slack'), options?: BaseIntegrationClientOptions) {
    super('slack', providerSource, { readError: readSlackError, failsWith2xx: true, ...options });
  }

  async sendMessage(accessToken: string, channel: string, text: string): Promise<SlackPostedMessage> {
    return this.call(accessToken, 'chat.postMessage', { json: { channel, text } }, postMessageSchema);
  }

  /** Every conversation the token can see, following `response_metadata.next_cursor` until Slack returns an empty one. */
  async listChannels(accessToken: string, options: { types?: string; excludeArchived?: boolean } = {}): Promise<SlackConversation[]> {
    const channels: SlackConversation[] = [];
    let cursor = '';
    do {
      const query: Record<string, string> = { limit: PAGE_SIZE, types: options.types ?? 'public_channel' };
      if (options.excludeArchived) query.exclude_archived = 'true';
      if (cursor) query.cursor = cursor;
      const page = await this.call(accessToken, 'conversations.list', { get: query }, conversationsListSchema);
      channels.push(...page.channels);
      cursor = page.response_metadata?.next_cursor ?? '';
    } while (cursor);
    return channels;
  }

  async getUserInfo(accessToken: string, userId: string): Promise<SlackUser> {
    return (await this.call(accessToken, 'users.info', { get: { user: userId } }, usersInfoSchema)).user;
  }

  /** Channel names are lowercase letters, numbers, hyphens and underscores, up to 80 characters. */
  async createChannel(accessToken: string, name: string, options: { isPrivate?: boolean } = {}): Promise<SlackConversation> {
    const body = { name, ...(options.isPrivate === undefined ? {} : { is_private: options.isPrivate }) };
    return (await this.call(accessToken, 'conversations.create', { json: body }, conversationsCreateSchema)).channel;
  }

  /**
   * Shares a file in a channel with Slack's external upload flow (`files.upload` is retired):
   * reserve an upload URL, POST the bytes to it, then complete the upload into the channel.
   * https://docs.slack.dev/messaging/working-with-files#uploading_files
   */
  async uploadFile(
    accessToken: string,
    channelId: string,
    content: string | Uint8Array,
    filename: string,
    options: { title?: string; initialComment?: string } = {},
  ): Promise<SlackUploadedFile> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const { upload_url: uploadUrl, file_id: fileId } = await this.call(
      accessToken,
      'files.getUploadURLExternal',
      { form: { filename, length: String(bytes.length) } },
      uploadUrlSchema,
    );
    await this.request<unknown>({ url: uploadUrl, method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    const completed = await this.call(
      accessToken,
      'files.completeUploadExternal',
      {
        json: {
          files: [{ id: fileId, title: options.title ?? filename }],
          channel_id: channelId,
          ...(options.initialComment ? { initial_comment: options.initialComment } : {}),
        },
      },
      completeUploadSchema,
    );
    return completed.files[0];
  }

  /** `auth.test`: who the token belongs to (team, user, bot). */
  async authTest(accessToken: string): Promise<SlackAuthTest> {
    return this.call(accessToken, 'auth.test', { form: {} }, authTestSchema);
  }

  /** True when Slack accepts the token; false on `invalid_auth`, `token_revoked` and the like. Outages are thrown. */
  async testConnection(accessToken: string): Promise<boolean> {
    try {
      await this.authTest(accessToken);
      return true;
    } catch (error) {
      if (isAuthRejection(error)) return false;
      throw error;
    }
  }

  private async call<S extends z.ZodType>(accessToken: string, method: string, args: SlackArguments, schema: S): Promise<z.infer<S>> {
    const url = new URL(`${this.apiBaseUrl}/${method}`);
    const headers: Record<string, string> = { Authorization: `Bearer ${accessToken}` };
    let body: unknown;
    if ('get' in args) {
      for (const [name, value] of Object.entries(args.get)) url.searchParams.set(name, value);
    } else if ('json' in args) {
      // Without the charset Slack answers with a `missing_charset` warning.
      headers['Content-Type'] = 'application/json; charset=utf-8';
      body = args.json;
    } else {
      body = new URLSearchParams(args.form);
    }
    const answer = await this.request<unknown>({ url: url.toString(), method: 'get' in args ? 'GET' : 'POST', headers, body });
    // `ok: false` answers have failed the request already (readSlackError): this one is `ok: true`.
    parseProviderResponse('slack', slackEnvelopeSchema, answer);
    return parseProviderResponse('slack', schema, answer);
  }
}

export const slackClient = new SlackClient();
