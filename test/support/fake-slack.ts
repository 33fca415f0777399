import { bearerToken, contentType, FakeProviderServer, type Check, type FakeResponse, type RecordedRequest } from './fake-provider-server.js';

export const SLACK_BOT_TOKEN = 'xoxb-fake-slack-bot-token';

/** Slack answers errors with HTTP 200 and `ok: false` (https://docs.slack.dev/apis/web-api/#responses). */
export const slackError = (error: string): FakeResponse => ({ json: { ok: false, error } });

/** A file that reached the fake upload URL. */
export interface UploadedSlackFile {
  fileId: string;
  bytes: Buffer;
}

interface SlackChannel {
  id: string;
  name: string;
  is_channel: boolean;
  is_private: boolean;
  is_archived: boolean;
  num_members: number;
}

const channel = (id: string, name: string): SlackChannel => ({
  id,
  name,
  is_channel: true,
  is_private: false,
  is_archived: false,
  num_members: 3,
});

/** Three pages of conversations.list, linked by `response_metadata.next_cursor`. */
const CHANNEL_PAGES: readonly { cursor: string; channels: SlackChannel[]; next: string }[] = [
  { cursor: '', channels: [channel('C001', 'general'), channel('C002', 'random')], next: 'dGVhbTpDMDAz' },
  { cursor: 'dGVhbTpDMDAz', channels: [channel('C003', 'engineering')], next: 'dGVhbTpDMDA0' },
  // Slack ends the list with an empty next_cursor, not a missing one.
  { cursor: 'dGVhbTpDMDA0', channels: [channel('C004', 'hr')], next: '' },
];

/**
 * slack.com/api as far as the Slack client uses it, plus the external upload host. Methods
 * check the bearer token (a wrong one gets `invalid_auth`), the content type Slack documents
 * for them, and their required arguments.
 */
export function createFakeSlack(): { server: FakeProviderServer; uploads: UploadedSlackFile[]; completed: unknown[] } {
  const uploads: UploadedSlackFile[] = [];
  const completed: unknown[] = [];
  const server = new FakeProviderServer((status, message) => ({ status: status === 404 ? 404 : 200, json: { ok: false, error: 'invalid_arguments', detail: message } }));
  const invalidAuth = slackError('invalid_auth');

  /** Reads arguments the way Slack does: JSON body, form body, or query string. */
  const args = (request: RecordedRequest, check: Check, json: 'json' | 'form' | 'any'): Record<string, unknown> => {
    const type = contentType(request);
    if (type === 'application/json') {
      check(json !== 'form', 'this method takes form-encoded arguments');
      check(request.headers['content-type']!.includes('charset=utf-8'), 'Slack asks for charset=utf-8 with JSON bodies');
      return request.json() as Record<string, unknown>;
    }
    check(json !== 'json', 'this method takes a JSON body');
    const form = type === 'application/x-www-form-urlencoded' ? request.form() : request.query;
    return Object.fromEntries(form);
  };

  server.route('POST', '/api/chat.postMessage', (request, check) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    const { channel: channelId, text } = args(request, check, 'json');
    if (channelId === 'C_ARCHIVED') return slackError('is_archived');
    check(typeof channelId === 'string', 'channel is required');
    check(typeof text === 'string' && text.length > 0, 'text is required');
    return {
      json: {
        ok: true,
        channel: channelId,
        ts: '1503435956.000247',
        message: { type: 'message', subtype: 'bot_message', text, ts: '1503435956.000247', bot_id: 'B123ABC456' },
      },
    };
  });

  server.route('GET', '/api/conversations.list', (request, check) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    const cursor = request.query.get('cursor') ?? '';
    const page = CHANNEL_PAGES.find((candidate) => candidate.cursor === cursor);
    check(page !== undefined, `unknown cursor ${JSON.stringify(cursor)}`);
    check(request.query.get('limit') !== null, 'pass limit: Slack recommends 200 or fewer per page');
    return { json: { ok: true, channels: page?.channels ?? [], response_metadata: { next_cursor: page?.next ?? '' } } };
  });

  server.route('GET', '/api/users.info', (request, check) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    const user = request.query.get('user');
    check(user !== null, 'user is required');
    if (user !== 'U0123ABC') return slackError('user_not_found');
    return {
      json: {
        ok: true,
        user: {
          id: 'U0123ABC',
          team_id: 'T0123ABC',
          name: 'ada',
          real_name: 'Ada Lovelace',
          tz: 'Europe/London',
          is_bot: false,
          profile: { email: 'ada@example.com', display_name: 'ada', real_name: 'Ada Lovelace' },
        },
      },
    };
  });

  server.route('POST', '/api/conversations.create', (request, check) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    const { name, is_private } = args(request, check, 'json');
    if (name === 'general') return slackError('name_taken');
    check(typeof name === 'string' && /^[a-z0-9_-]{1,80}$/.test(name), 'name: lowercase letters, numbers, hyphens, underscores, up to 80');
    check(is_private === undefined || typeof is_private === 'boolean', 'is_private is a boolean');
    return { json: { ok: true, channel: { ...channel('C0NEW', String(name)), is_private: is_private === true, created: 1700000000, creator: 'U0123ABC' } } };
  });

  server.route('POST', '/api/files.getUploadURLExternal', (request, check) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    // Documented content type: application/x-www-form-urlencoded.
    const { filename, length } = args(request, check, 'form');
    check(typeof filename === 'string' && filename.length > 0, 'filename is required');
    check(typeof length === 'string' && /^[1-9][0-9]*$/.test(length), 'length is a positive integer of bytes');
    return { json: { ok: true, upload_url: `${server.url}/upload/v1/F0FILE123`, file_id: 'F0FILE123' } };
  });

  server.route('POST', '/upload/v1/:fileId', (request, check, params) => {
    const announced = server.requests.find((r) => r.path === '/api/files.getUploadURLExternal');
    const length = announced ? Number(new URLSearchParams(announced.body.toString('utf8')).get('length')) : NaN;
    check(request.body.length === length, `uploaded ${request.body.length} bytes but announced ${length}`);
    uploads.push({ fileId: params.fileId!, bytes: request.body });
    return { text: 'OK - 17' };
  });

  server.route('POST', '/api/files.completeUploadExternal', (request, check) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    const body = args(request, check, 'json');
    const files = body.files as { id?: unknown; title?: unknown }[] | undefined;
    check(Array.isArray(files) && files.length > 0 && typeof files[0]?.id === 'string', 'files is an array of {id, title}');
    const fileId = files?.[0]?.id;
    check(uploads.some((upload) => upload.fileId === fileId), 'complete only a file whose bytes were uploaded');
    check(typeof body.channel_id === 'string', 'channel_id shares the file in a channel');
    completed.push(body);
    return { json: { ok: true, files: [{ id: fileId, title: files?.[0]?.title }] } };
  });

  server.route('POST', '/api/auth.test', (request) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    return {
      json: {
        ok: true,
        url: 'https://acme.slack.com/',
        team: 'Acme',
        user: 'integrations-bot',
        team_id: 'T0123ABC',
        user_id: 'U0BOT',
        bot_id: 'B123ABC456',
        is_enterprise_install: false,
      },
    };
  });

  server.route('POST', '/api/auth.revoke', (request) => {
    if (bearerToken(request) !== SLACK_BOT_TOKEN) return invalidAuth;
    return { json: { ok: true, revoked: true } };
  });

  return { server, uploads, completed };
}
