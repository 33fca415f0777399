import { BearerTokens } from './fake-bearer-tokens.js';
import type { FakeClock } from './fake-clock.js';
import type { Delivery } from './fake-delivery.js';
import { installGmailWatch, type GmailWatchController, type GmailWatchOptions } from './fake-gmail-watch.js';
import { installGoogleChannels, type GoogleChannelsController, type GoogleChannelsOptions } from './fake-google-channels.js';
import { googleRateLimited } from './fake-google-errors.js';
import { contentType, FakeProviderServer, type FakeResponse, type ProviderFakeOptions, type RecordedRequest } from './fake-provider-server.js';
import { FakePubSub, type FakePubSubOptions } from './fake-pubsub-push.js';

export const GOOGLE_ACCESS_TOKEN = 'ya29.fake-google-access-token';

/** What Google's userinfo endpoint answers for the fake's one account. */
export const GOOGLE_USERINFO = {
  sub: '110169484474386276334',
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  picture: 'https://lh3.googleusercontent.com/a/default-user',
  email: 'ada@example.com',
  email_verified: true,
  locale: 'en',
};

/** Google's JSON error body (https://cloud.google.com/apis/design/errors#http_mapping). */
export function googleError(code: number, message: string, status: string): FakeResponse {
  return { status: code, json: { error: { code, message, status, errors: [{ message, domain: 'global', reason: status }] } } };
}

const STATUS_BY_CODE: Record<number, string> = { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 401: 'UNAUTHENTICATED' };

/**
 * An error as the Calendar, Drive and Gmail v3 APIs document it, with a `reason` per error
 * (https://developers.google.com/workspace/calendar/api/guides/errors,
 * https://developers.google.com/drive/api/guides/handle-errors).
 */
export function googleReasonError(code: number, reason: string, message: string, domain = 'global'): FakeResponse {
  return { status: code, json: { error: { errors: [{ domain, reason, message }], code, message } } };
}

/** "403: User Rate Limit Exceeded": back off and retry. */
export const googleUserRateLimitExceeded = (): FakeResponse => googleReasonError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits');
/** "403: Rate Limit Exceeded" (per calendar or per user): back off and retry. */
export const googleRateLimitExceeded = (): FakeResponse => googleReasonError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits');

/** The 403 for a token without the scope a method needs, with the ErrorInfo Google adds to it today. */
export function googleInsufficientScopes(service: string, method: string): FakeResponse {
  return {
    status: 403,
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/calendar"' },
    json: {
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata: { service, method } }],
      },
    },
  };
}

/** events.insert's `sendUpdates` values (https://developers.google.com/workspace/calendar/api/v3/reference/events/insert). */
const SEND_UPDATES = ['all', 'externalOnly', 'none'];

/** A shared drive, and a folder in it, of the fake's user. */
export const SHARED_DRIVE_ID = '0AHR-shared-drive-Uk9PVA';
export const SHARED_DRIVE_FOLDER_ID = '1shared-drive-folder-HR-documents';

/** A message Gmail received, decoded from its base64url `raw`. */
export interface SentGmailMessage {
  raw: string;
  headers: Map<string, string>;
  html: string;
}

export interface FakeGoogleOptions
  extends ProviderFakeOptions,
    Pick<GoogleChannelsOptions, 'calendars' | 'projectNumber' | 'syncTiming' | 'calendarMaxTtlSeconds' | 'notificationTimeoutMs'>,
    Pick<GmailWatchOptions, 'projectId' | 'historyIdAs'>,
    Pick<FakePubSubOptions, 'retryDelaysMs' | 'pushTimeoutMs'> {
  /**
   * Google answers a rate limit with 403 or 429, reason `rateLimitExceeded`, and no Retry-After
   * (https://developers.google.com/workspace/calendar/api/guides/errors).
   * @default 403
   */
  rateLimitStatus?: 403 | 429;
}

export interface FakeGoogle {
  server: FakeProviderServer;
  clock: FakeClock;
  tokens: BearerTokens;
  /** Calendar and Drive push channels: see {@link installGoogleChannels}. */
  channels: GoogleChannelsController;
  /** Gmail watch: see {@link installGmailWatch}. */
  gmail: GmailWatchController;
  /** The Pub/Sub that pushes Gmail's notifications; its keys are served at `/oauth2/v3/certs`. */
  pubsub: FakePubSub;
  /** Every request the fake sent (sync and change notifications, Pub/Sub pushes). */
  deliveries: Delivery[];
  sent: SentGmailMessage[];
}

/**
 * www.googleapis.com as far as the service uses it: Calendar v3 calendarList (paged by
 * `pageToken`) and events.insert, Drive v3 files.create (in My Drive, or in a shared drive under
 * {@link SHARED_DRIVE_FOLDER_ID}), Gmail v1 users.messages.send, the
 * OAuth2 v3 userinfo endpoint, push channels ({@link installGoogleChannels}), Gmail watch
 * ({@link installGmailWatch}) with Pub/Sub push ({@link FakePubSub}), and the JWKS that verifies
 * the push tokens at `/oauth2/v3/certs`. A token the fake does not hold (by default all but
 * {@link GOOGLE_ACCESS_TOKEN}) gets Google's 401; `server.rateLimit(n)` answers Google's
 * `rateLimitExceeded`.
 *
 * Driving it:
 * ```ts
 * const google = createFakeGoogle({ clock, log });
 * const origin = await google.server.start(); // API base and JWKS: `${origin}/oauth2/v3/certs`
 * google.pubsub.createTopic('projects/integrations-test/topics/gmail', [GMAIL_PUBLISHER])
 *   .createPushSubscription({ name: 'projects/integrations-test/subscriptions/push', topic: 'projects/integrations-test/topics/gmail',
 *     pushEndpoint: `${serviceUrl}/webhooks/google`, audience, serviceAccountEmail });
 * // … the service watches a calendar: the fake answers, then sends `sync` …
 * await google.server.idle(); // the sync (and Gmail's first push) has been delivered
 * await google.channels.changeCalendar('primary');
 * await google.gmail.receiveMail({ labelIds: ['INBOX'] });
 * await google.pubsub.publish(topic, data, { token: { audience: 'wrong' } }); // negative test
 * clock.advance(8 * DAY); // channels and watches lapse
 * ```
 */
export function createFakeGoogle(options: FakeGoogleOptions = {}): FakeGoogle {
  const sent: SentGmailMessage[] = [];
  const server = new FakeProviderServer((status, message) => googleError(status, message, STATUS_BY_CODE[status] ?? 'UNKNOWN'), {
    name: 'google',
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    rateLimited: () => googleRateLimited(options.rateLimitStatus ?? 403),
  });
  const tokens = new BearerTokens(options.accessTokens ?? [GOOGLE_ACCESS_TOKEN]);
  const deliveries: Delivery[] = [];
  const delivery = { provider: 'google', clock: server.clock, ...(options.log ? { log: options.log } : {}), deliveries };
  const channels = installGoogleChannels(server, { ...options, tokens, delivery });
  const pubsub = new FakePubSub({ ...options, delivery: { ...delivery, provider: 'pubsub' } });
  const gmail = installGmailWatch(server, { ...options, tokens, pubsub });
  const unauthenticated = googleError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    'UNAUTHENTICATED',
  );
  const authorized = (request: RecordedRequest): boolean => tokens.principalOf(request.headers) !== undefined;

  // Where Google serves the keys of its ID tokens, Pub/Sub push tokens included.
  server.route('GET', '/oauth2/v3/certs', async () => ({ headers: { 'cache-control': 'public, max-age=23497, must-revalidate, no-transform' }, json: await pubsub.jwks() }));

  server.route('GET', '/calendar/v3/users/me/calendarList', (request) => {
    if (!authorized(request)) return unauthenticated;
    // Two pages: the first carries nextPageToken, the last carries nextSyncToken instead.
    if (request.query.get('pageToken') === 'page-2') {
      return {
        json: {
          kind: 'calendar#calendarList',
          etag: '"p2"',
          nextSyncToken: 'sync-1',
          items: [{ kind: 'calendar#calendarListEntry', id: 'team@group.calendar.google.com', summary: 'Team', accessRole: 'writer' }],
        },
      };
    }
    return {
      json: {
        kind: 'calendar#calendarList',
        etag: '"p1"',
        nextPageToken: 'page-2',
        items: [{ kind: 'calendar#calendarListEntry', id: 'ada@example.com', summary: 'Ada', primary: true, accessRole: 'owner', timeZone: 'Europe/London' }],
      },
    };
  });

  server.route('POST', '/calendar/v3/calendars/:calendarId/events', (request, check, params) => {
    if (!authorized(request)) return unauthenticated;
    check(contentType(request) === 'application/json', 'events.insert takes a JSON event resource');
    // Without sendUpdates Google invites nobody ("The default is false"): the client says what it wants.
    const sendUpdates = request.query.get('sendUpdates');
    check(sendUpdates !== null && SEND_UPDATES.includes(sendUpdates), 'sendUpdates is all, externalOnly or none');
    const event = request.json() as Record<string, { dateTime?: string; date?: string } | undefined>;
    check(Boolean(event.start?.dateTime ?? event.start?.date), 'event.start needs dateTime or date');
    check(Boolean(event.end?.dateTime ?? event.end?.date), 'event.end needs dateTime or date');
    return {
      json: {
        kind: 'calendar#event',
        id: 'evt123',
        status: 'confirmed',
        htmlLink: `https://www.google.com/calendar/event?eid=evt123&calendar=${encodeURIComponent(params.calendarId!)}`,
        ...event,
      },
    };
  });

  server.route('POST', '/drive/v3/files', (request, check) => {
    if (!authorized(request)) return unauthenticated;
    check(contentType(request) === 'application/json', 'files.create metadata is JSON');
    const file = request.json() as { name?: unknown; mimeType?: unknown; parents?: unknown };
    check(typeof file.name === 'string' && file.name.length > 0, 'file.name is required');
    check(file.mimeType === 'application/vnd.google-apps.folder', 'a folder has mimeType application/vnd.google-apps.folder');
    check(file.parents === undefined || (Array.isArray(file.parents) && file.parents.length === 1), 'parents is a one-element array');
    const parent = Array.isArray(file.parents) ? (file.parents[0] as string) : undefined;
    const inSharedDrive = parent === SHARED_DRIVE_FOLDER_ID;
    // A shared drive's items do not exist for an app that does not say it supports them
    // (https://developers.google.com/drive/api/guides/enable-shareddrives).
    if (inSharedDrive && request.query.get('supportsAllDrives') !== 'true') {
      return { status: 404, json: { error: { errors: [{ domain: 'global', reason: 'notFound', message: `File not found: ${parent}.`, locationType: 'parameter', location: 'fileId' }], code: 404, message: `File not found: ${parent}.` } } };
    }
    return { json: { kind: 'drive#file', id: 'folder123', name: file.name, mimeType: file.mimeType, ...(inSharedDrive && { driveId: SHARED_DRIVE_ID }) } };
  });

  server.route('POST', '/gmail/v1/users/me/messages/send', (request, check) => {
    if (!authorized(request)) return unauthenticated;
    check(contentType(request) === 'application/json', 'messages.send takes a JSON message resource');
    const { raw } = request.json() as { raw?: unknown };
    check(typeof raw === 'string' && /^[A-Za-z0-9_-]+$/.test(raw), 'raw is base64url without padding');
    if (typeof raw !== 'string') return { status: 400 };
    const message = Buffer.from(raw, 'base64url').toString('utf8');
    const split = message.indexOf('\r\n\r\n');
    check(split > 0, 'an RFC 2822 message separates headers from body with CRLF CRLF');
    const headers = new Map<string, string>();
    // Unfold continuation lines (RFC 2822 §2.2.3) before splitting name from value.
    for (const line of message.slice(0, split).replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
      const colon = line.indexOf(':');
      check(colon > 0, `header line without a name: ${JSON.stringify(line)}`);
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    check(headers.has('to'), 'the message has a To header');
    const encoding = headers.get('content-transfer-encoding');
    const rawBody = message.slice(split + 4);
    const html = encoding === 'base64' ? Buffer.from(rawBody.replace(/\r\n/g, ''), 'base64').toString('utf8') : rawBody;
    sent.push({ raw, headers, html });
    return { json: { id: '18c0ffee', threadId: '18c0ffee', labelIds: ['SENT'] } };
  });

  server.route('GET', '/oauth2/v3/userinfo', (request) => {
    if (!authorized(request)) return unauthenticated;
    return { json: GOOGLE_USERINFO };
  });

  return { server, clock: server.clock, tokens, channels, gmail, pubsub, deliveries, sent };
}
