import { createHash } from 'node:crypto';
import type { BearerTokens } from './fake-bearer-tokens.js';
import { callbackUrlProblem, type CallbackUrlPolicy } from './fake-callback-url.js';
import { DAY, HOUR, SECOND } from './fake-clock.js';
import { deliver, type Delivery, type DeliveryContext } from './fake-delivery.js';
import { googleEmailOf } from './fake-google-accounts.js';
import { googleApiError } from './fake-google-errors.js';
import { contentType, type FakeProviderServer, type FakeResponse, type RecordedRequest } from './fake-provider-server.js';

/** Which watch method opened a channel; `channels.stop` of one API does not find another's channels. */
export type GoogleChannelApi = 'calendar' | 'drive';

/** A notification channel as the fake holds it. */
export interface GoogleChannel {
  id: string;
  api: GoogleChannelApi;
  principal: string;
  /** What it watches: `calendar:<id>`, `drive:changes`, `drive:file:<id>`. */
  watched: string;
  resourceId: string;
  resourceUri: string;
  token: string | undefined;
  address: string;
  /** Epoch ms on the fake clock. */
  expiresAt: number;
  /** The last X-Goog-Message-Number sent. */
  messageNumber: number;
  stopped: boolean;
}

export interface GoogleChannelsOptions {
  tokens: BearerTokens;
  delivery: DeliveryContext;
  /** Calendar ids besides `primary` that each principal can watch. @default ['ada@example.com', 'team@group.calendar.google.com'] */
  calendars?: readonly string[];
  /** The project number in `channels.stop`'s "not found" message. @default '636397034666' */
  projectNumber?: string;
  /**
   * Google sends `sync` right after creating a channel, and "it's possible to receive the sync
   * message even before you receive the watch method response"
   * (https://developers.google.com/workspace/drive/api/guides/push#sync-message). `before-response`
   * plays that race.
   * @default 'after-response'
   */
  syncTiming?: 'after-response' | 'before-response';
  /**
   * Longest Calendar channel. Calendar documents only the default `params.ttl` of 604800 s;
   * longer ones are cut to 30 days in practice (https://stackoverflow.com/q/64986662).
   * @default 2592000
   */
  calendarMaxTtlSeconds?: number;
  /** Real milliseconds a notification waits for its answer. @default 10000 */
  notificationTimeoutMs?: number;
  callbackUrls?: CallbackUrlPolicy;
}

/** What a test drives the channels with. */
export interface GoogleChannelsController {
  /** Every channel ever opened, by id (stopped and expired ones included). */
  readonly channels: ReadonlyMap<string, GoogleChannel>;
  /** Whether a channel still delivers: not stopped, not expired on the fake clock. */
  isLive(id: string): boolean;
  /** A change to a calendar: `exists` to every live channel on it (all of them, during a renewal's overlap). */
  changeCalendar(calendarId: string, principal?: string, state?: 'exists' | 'not_exists'): Promise<Delivery[]>;
  /** A change in the principal's Drive: `change` to its live `changes.watch` channels, and a new start page token. */
  changeDrive(principal?: string): Promise<Delivery[]>;
  /** A change to one Drive file: `update` (with `X-Goog-Changed`) or another file state to its live channels. */
  changeFile(fileId: string, state?: string, changed?: readonly string[], principal?: string): Promise<Delivery[]>;
  /** The principal's current Drive start page token. */
  startPageToken(principal?: string): string;
}

/** Drive: "the maximum expiration time is 86400 seconds (1 day) … for the files resource and 604800 seconds (1 week) for changes", default 3600 s. */
const DRIVE_FILES_MAX = DAY;
const DRIVE_CHANGES_MAX = 7 * DAY;
const DRIVE_DEFAULT = HOUR;
/** Calendar: `params.ttl` "Default is 604800 seconds". */
const CALENDAR_DEFAULT_TTL = 7 * DAY;
const MAX_ID_LENGTH = 64;
const MAX_TOKEN_LENGTH = 256;

/**
 * Google push-notification channels for Calendar and Drive on a fake www.googleapis.com:
 * https://developers.google.com/workspace/calendar/api/guides/push and
 * https://developers.google.com/workspace/drive/api/guides/push
 *
 * - `POST /calendar/v3/calendars/{calendarId}/events/watch`, `POST /drive/v3/changes/watch?pageToken=…`
 *   (after `GET /drive/v3/changes/startPageToken`) and `POST /drive/v3/files/{fileId}/watch` open a
 *   channel (`id` unique in the project forever, `type: web_hook`, https `address`, `token` ≤ 256,
 *   `expiration` in ms and for Calendar `params.ttl` in s) and answer `api#channel` with the
 *   expiration Google settles on: the more restrictive of what was asked and Google's limit
 *   (Drive changes one week, files one day, default one hour; Calendar default one week).
 * - Then `sync` (message number 1), then on command `exists`/`change`/`update` with the documented
 *   `X-Goog-*` headers, message numbers increasing but not sequential, empty body; nothing after
 *   expiry (fake clock) or stop.
 * - `POST /{calendar,drive}/v3/channels/stop` with `id` and `resourceId`: 204; an unknown channel,
 *   a wrong resourceId, another user's or another API's channel is 404 `notFound`
 *   "Channel 'X' not found for project 'P'".
 */
export function installGoogleChannels(server: FakeProviderServer, options: GoogleChannelsOptions): GoogleChannelsController {
  const { tokens, delivery } = options;
  const clock = server.clock;
  const channels = new Map<string, GoogleChannel>();
  const pageTokens = new Map<string, number>();
  const calendars = new Set(options.calendars ?? ['ada@example.com', 'team@group.calendar.google.com']);
  const project = options.projectNumber ?? '636397034666';
  const unauthenticated = googleApiError(401, 'authError', 'Invalid Credentials');
  const isLive = (channel: GoogleChannel): boolean => !channel.stopped && channel.expiresAt > clock.now();
  const pageToken = (principal: string): number => pageTokens.get(principal) ?? 1000;

  const send = (channel: GoogleChannel, state: string, changed?: readonly string[]): Promise<Delivery> => {
    // "Message numbers increase for each subsequent message on the channel, but they're not sequential."
    channel.messageNumber = state === 'sync' ? 1 : channel.messageNumber + 1 + (channel.messageNumber % 3);
    return deliver(delivery, {
      kind: state === 'sync' ? 'sync' : 'notification',
      url: channel.address,
      headers: {
        'content-type': 'application/json; utf-8',
        'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
        'x-goog-channel-id': channel.id,
        ...(channel.token !== undefined ? { 'x-goog-channel-token': channel.token } : {}),
        'x-goog-channel-expiration': new Date(channel.expiresAt).toUTCString(),
        'x-goog-resource-id': channel.resourceId,
        'x-goog-resource-uri': channel.resourceUri,
        'x-goog-resource-state': state,
        'x-goog-message-number': String(channel.messageNumber),
        ...(changed && changed.length > 0 ? { 'x-goog-changed': changed.join(',') } : {}),
      },
      timeoutMs: options.notificationTimeoutMs ?? 10_000,
    });
  };

  /** Opens a channel from a watch request body, or answers Google's refusal. */
  const open = async (
    request: RecordedRequest,
    check: (condition: boolean, message: string) => void,
    target: { api: GoogleChannelApi; watched: string; resourceUri: string; maxMs: number; defaultMs: number; ttlAllowed: boolean },
  ): Promise<FakeResponse> => {
    const principal = tokens.principalOf(request.headers)!;
    check(contentType(request) === 'application/json', 'a channel is JSON');
    const body = request.json() as { id?: unknown; type?: unknown; address?: unknown; token?: unknown; expiration?: unknown; params?: { ttl?: unknown } };
    if (typeof body.id !== 'string' || body.id.length === 0 || body.id.length > MAX_ID_LENGTH) return googleApiError(400, 'invalid', `Invalid channel id: must be 1 to ${MAX_ID_LENGTH} characters.`);
    if (body.type !== 'web_hook' && body.type !== 'webhook') return googleApiError(400, 'invalid', `Invalid value for type: ${String(body.type)}`);
    const addressProblem = callbackUrlProblem(body.address, options.callbackUrls);
    if (addressProblem) return googleApiError(400, 'push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${String(body.address)}`);
    if (body.token !== undefined && (typeof body.token !== 'string' || body.token.length > MAX_TOKEN_LENGTH)) return googleApiError(400, 'invalid', `Invalid channel token: at most ${MAX_TOKEN_LENGTH} characters.`);
    if (channels.has(body.id)) return googleApiError(400, 'channelIdNotUnique', `Channel id ${body.id} not unique`);
    // Calendar's channel lives `params.ttl` (default a week); Drive's until `expiration` (default an hour).
    let expiresAt = target.ttlAllowed ? clock.now() + target.defaultMs : undefined;
    if (target.ttlAllowed && body.params?.ttl !== undefined) {
      const ttl = Number(body.params.ttl);
      if (!Number.isInteger(ttl) || ttl <= 0) return googleApiError(400, 'invalid', `Invalid value for params.ttl: ${String(body.params.ttl)}`);
      expiresAt = clock.now() + ttl * SECOND;
    }
    if (body.expiration !== undefined) {
      const requested = Number(body.expiration);
      if (!Number.isFinite(requested) || requested <= clock.now()) return googleApiError(400, 'invalid', `Invalid value for expiration: ${String(body.expiration)}`);
      expiresAt = Math.min(expiresAt ?? requested, requested);
    }
    // "the more restrictive value is used": Google shortens, it does not refuse.
    expiresAt = Math.min(expiresAt ?? clock.now() + target.defaultMs, clock.now() + target.maxMs);
    const channel: GoogleChannel = {
      id: body.id,
      api: target.api,
      principal,
      watched: target.watched,
      resourceId: opaqueResourceId(principal, target.watched),
      resourceUri: target.resourceUri,
      token: typeof body.token === 'string' ? body.token : undefined,
      address: body.address as string,
      expiresAt,
      messageNumber: 0,
      stopped: false,
    };
    channels.set(channel.id, channel);
    const answer = {
      json: {
        kind: 'api#channel',
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: channel.resourceUri,
        ...(channel.token !== undefined ? { token: channel.token } : {}),
        expiration: String(channel.expiresAt),
      },
    };
    if (options.syncTiming === 'before-response') {
      await send(channel, 'sync');
      return answer;
    }
    return { ...answer, after: () => send(channel, 'sync') };
  };

  server.route('POST', '/calendar/v3/calendars/:calendarId/events/watch', (request, check, params) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthenticated;
    const calendarId = params.calendarId!;
    if (calendarId !== 'primary' && !calendars.has(calendarId)) return googleApiError(404, 'notFound', 'Not Found');
    const resolved = calendarId === 'primary' ? googleEmailOf(principal) : calendarId;
    return open(request, check, {
      api: 'calendar',
      watched: `calendar:${resolved}`,
      resourceUri: `https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      maxMs: (options.calendarMaxTtlSeconds ?? 30 * 24 * 3600) * SECOND,
      defaultMs: CALENDAR_DEFAULT_TTL,
      ttlAllowed: true,
    });
  });

  server.route('GET', '/drive/v3/changes/startPageToken', (request) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthenticated;
    return { json: { kind: 'drive#startPageToken', startPageToken: String(pageToken(principal)) } };
  });

  server.route('POST', '/drive/v3/changes/watch', (request, check) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthenticated;
    const token = request.query.get('pageToken');
    if (!token) return googleApiError(400, 'required', 'Required parameter: pageToken', 'global');
    return open(request, check, {
      api: 'drive',
      watched: 'drive:changes',
      resourceUri: `https://www.googleapis.com/drive/v3/changes?alt=json&pageToken=${encodeURIComponent(token)}`,
      maxMs: DRIVE_CHANGES_MAX,
      defaultMs: DRIVE_DEFAULT,
      ttlAllowed: false,
    });
  });

  server.route('POST', '/drive/v3/files/:fileId/watch', (request, check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthenticated;
    return open(request, check, {
      api: 'drive',
      watched: `drive:file:${params.fileId!}`,
      resourceUri: `https://www.googleapis.com/drive/v3/files/${encodeURIComponent(params.fileId!)}?alt=json`,
      maxMs: DRIVE_FILES_MAX,
      defaultMs: DRIVE_DEFAULT,
      ttlAllowed: false,
    });
  });

  for (const api of ['calendar', 'drive'] as const) {
    server.route('POST', `/${api}/v3/channels/stop`, (request, check) => {
      const principal = tokens.principalOf(request.headers);
      if (principal === undefined) return unauthenticated;
      check(contentType(request) === 'application/json', 'channels.stop takes a JSON channel');
      const body = request.json() as { id?: unknown; resourceId?: unknown };
      check(typeof body.id === 'string' && typeof body.resourceId === 'string', 'channels.stop needs the channel id and resourceId');
      const channel = typeof body.id === 'string' ? channels.get(body.id) : undefined;
      // Only the user who opened a channel stops it, through the API that opened it, while it lives.
      if (!channel || channel.api !== api || channel.principal !== principal || channel.resourceId !== body.resourceId || !isLive(channel)) {
        return googleApiError(404, 'notFound', `Channel '${String(body.id)}' not found for project '${project}'`);
      }
      channel.stopped = true;
      return { status: 204 };
    });
  }

  const notifyAll = (principal: string, watched: string, state: string, changed?: readonly string[]): Promise<Delivery[]> =>
    Promise.all([...channels.values()].filter((channel) => isLive(channel) && channel.principal === principal && channel.watched === watched).map((channel) => send(channel, state, changed)));

  return {
    channels,
    isLive: (id) => {
      const channel = channels.get(id);
      return channel !== undefined && isLive(channel);
    },
    changeCalendar: (calendarId, principal = 'default', state = 'exists') =>
      notifyAll(principal, `calendar:${calendarId === 'primary' ? googleEmailOf(principal) : calendarId}`, state),
    changeDrive: (principal = 'default') => {
      pageTokens.set(principal, pageToken(principal) + 1);
      return notifyAll(principal, 'drive:changes', 'change');
    },
    changeFile: (fileId, state = 'update', changed, principal = 'default') => notifyAll(principal, `drive:file:${fileId}`, state, changed),
    startPageToken: (principal = 'default') => String(pageToken(principal)),
  };
}

/** Google's resource ids are opaque and stable per watched resource: the same for two channels on one calendar. */
function opaqueResourceId(principal: string, watched: string): string {
  return createHash('sha256').update(`${principal}\0${watched}`).digest('base64url').slice(0, 27);
}
