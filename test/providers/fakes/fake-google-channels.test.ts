import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DAY, FakeClock, HOUR } from '../../support/fake-clock.js';
import { createFakeGoogle, GOOGLE_ACCESS_TOKEN } from '../../support/fake-google.js';
import { RequestLog } from '../../support/fake-request-log.js';
import { callApi, type ApiAnswer } from './support/call-api.js';
import { RecordingReceiver, type Received } from './support/recording-receiver.js';

const clock = new FakeClock(Date.parse('2026-12-05T09:00:00Z'));
const log = new RequestLog();
const google = createFakeGoogle({ clock, log });
const receiver = new RecordingReceiver();
let api: string;
let channelNumber = 0;

beforeAll(async () => {
  api = await google.server.start();
  await receiver.start();
});

afterEach(async () => {
  await google.server.idle();
  const violations = [...google.server.violations];
  google.server.reset();
  receiver.received.length = 0;
  log.clear();
  expect(violations).toEqual([]);
});

afterAll(async () => {
  await google.server.close();
  await receiver.close();
});

const call = (method: string, path: string, body?: unknown, token = GOOGLE_ACCESS_TOKEN): Promise<ApiAnswer> => callApi(`${api}${path}`, method, token, body);

const channel = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: `0f6c1a52-3d8e-4a7b-9c1d-${String(++channelNumber).padStart(12, '0')}`,
  type: 'web_hook',
  address: `${receiver.url}/webhooks/google`,
  token: 'channel-secret',
  ...overrides,
});

const header = (request: Received, name: string): string | undefined => request.headers[name] as string | undefined;

describe('Calendar events.watch', () => {
  it('answers api#channel with the default week, then sends sync, then changes with rising message numbers', async () => {
    const body = channel();
    const watch = await call('POST', '/calendar/v3/calendars/primary/events/watch', body);
    expect(watch.json).toEqual({
      kind: 'api#channel',
      id: body.id,
      resourceId: expect.any(String),
      resourceUri: 'https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json',
      token: 'channel-secret',
      expiration: String(clock.now() + 7 * DAY),
    });
    await google.server.idle();
    const [sync] = receiver.received;
    expect(sync!.body).toBe('');
    expect(sync!.headers).toMatchObject({
      'x-goog-channel-id': body.id,
      'x-goog-channel-token': 'channel-secret',
      'x-goog-channel-expiration': new Date(clock.now() + 7 * DAY).toUTCString(),
      'x-goog-resource-id': watch.json.resourceId,
      'x-goog-resource-uri': watch.json.resourceUri,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
    });
    // The sync message left after the watch was answered.
    const watchCall = log.first({ provider: 'google', direction: 'in', path: '/calendar/v3/calendars/primary/events/watch' });
    expect(log.first({ provider: 'google', direction: 'out' }).seq).toBeGreaterThan(watchCall.answeredSeq!);

    await google.channels.changeCalendar('primary');
    await google.channels.changeCalendar('ada@example.com');
    const numbers = receiver.received.map((request) => Number(header(request, 'x-goog-message-number')));
    expect(receiver.received.slice(1).map((request) => header(request, 'x-goog-resource-state'))).toEqual(['exists', 'exists']);
    expect(numbers[1]).toBeGreaterThan(numbers[0]!);
    expect(numbers[2]).toBeGreaterThan(numbers[1]!);
  });

  it('takes the more restrictive of params.ttl and expiration, and cuts a long one to 30 days', async () => {
    const ttl = await call('POST', '/calendar/v3/calendars/primary/events/watch', channel({ params: { ttl: '3600' }, expiration: clock.now() + 2 * HOUR }));
    expect(ttl.json.expiration).toBe(String(clock.now() + HOUR));
    const long = await call('POST', '/calendar/v3/calendars/primary/events/watch', channel({ params: { ttl: String(90 * 24 * 3600) } }));
    expect(long.json.expiration).toBe(String(clock.now() + 30 * DAY));
  });

  it('delivers to every live channel during a renewal overlap, and nothing after expiry on the fake clock', async () => {
    const old = (await call('POST', '/calendar/v3/calendars/team%40group.calendar.google.com/events/watch', channel({ params: { ttl: String(2 * 3600) } }))).json;
    clock.advance(HOUR);
    const renewed = (await call('POST', '/calendar/v3/calendars/team%40group.calendar.google.com/events/watch', channel())).json;
    expect(renewed.resourceId).toBe(old.resourceId);
    await google.server.idle();
    receiver.received.length = 0;

    await google.channels.changeCalendar('team@group.calendar.google.com');
    expect(receiver.received.map((request) => header(request, 'x-goog-channel-id')).sort()).toEqual([old.id, renewed.id].sort());

    clock.advance(HOUR);
    receiver.received.length = 0;
    await google.channels.changeCalendar('team@group.calendar.google.com');
    expect(receiver.received.map((request) => header(request, 'x-goog-channel-id'))).toEqual([renewed.id]);
    expect(google.channels.isLive(old.id)).toBe(false);
  });

  it('refuses a reused channel id, an http address, an unknown calendar and a revoked token as Google does', async () => {
    const body = channel();
    await call('POST', '/calendar/v3/calendars/primary/events/watch', body);
    const reused = await call('POST', '/calendar/v3/calendars/primary/events/watch', body);
    expect(reused).toMatchObject({ status: 400, json: { error: { code: 400, errors: [{ reason: 'channelIdNotUnique' }] } } });
    const http = await call('POST', '/calendar/v3/calendars/primary/events/watch', channel({ address: 'http://hooks.example.com/google' }));
    expect(http.json.error).toMatchObject({ message: 'WebHook callback must be HTTPS: http://hooks.example.com/google', errors: [{ reason: 'push.webhookUrlNotHttps' }] });
    expect((await call('POST', '/calendar/v3/calendars/someone-else%40example.com/events/watch', channel())).status).toBe(404);
    google.tokens.grant('ya29.short-lived').revoke('ya29.short-lived');
    const revoked = await call('POST', '/calendar/v3/calendars/primary/events/watch', channel(), 'ya29.short-lived');
    expect(revoked).toMatchObject({ status: 401, json: { error: { errors: [{ reason: 'authError' }] } } });
  });
});

describe('Drive changes.watch and files.watch', () => {
  it('watches from the start page token, shortening the expiration to a week, a day for a file, an hour by default', async () => {
    const start = await call('GET', '/drive/v3/changes/startPageToken');
    expect(start.json).toEqual({ kind: 'drive#startPageToken', startPageToken: expect.stringMatching(/^\d+$/) });
    const long = await call('POST', `/drive/v3/changes/watch?pageToken=${start.json.startPageToken}`, channel({ expiration: clock.now() + 30 * DAY }));
    expect(long.json).toMatchObject({ kind: 'api#channel', resourceUri: `https://www.googleapis.com/drive/v3/changes?alt=json&pageToken=${start.json.startPageToken}`, expiration: String(clock.now() + 7 * DAY) });
    const unset = await call('POST', `/drive/v3/changes/watch?pageToken=${start.json.startPageToken}`, channel());
    expect(unset.json.expiration).toBe(String(clock.now() + HOUR));
    const file = await call('POST', '/drive/v3/files/folder123/watch', channel({ expiration: clock.now() + 3 * DAY }));
    expect(file.json.expiration).toBe(String(clock.now() + DAY));
    expect((await call('POST', '/drive/v3/changes/watch', channel())).json.error).toMatchObject({ message: 'Required parameter: pageToken' });

    await google.server.idle();
    receiver.received.length = 0;
    await google.channels.changeDrive();
    expect(receiver.received.map((request) => header(request, 'x-goog-resource-state'))).toEqual(['change', 'change']);
    expect(google.channels.startPageToken()).not.toBe(start.json.startPageToken);
    await google.channels.changeFile('folder123', 'update', ['content', 'permissions']);
    expect(header(receiver.received[2]!, 'x-goog-changed')).toBe('content,permissions');
  });
});

describe('channels.stop', () => {
  it("refuses a wrong resourceId or another API's channel with 404 notFound, stops with 204, then sends nothing", async () => {
    const watched = (await call('POST', '/calendar/v3/calendars/primary/events/watch', channel())).json;
    const wrong = await call('POST', '/calendar/v3/channels/stop', { id: watched.id, resourceId: 'not-the-resource' });
    expect(wrong).toMatchObject({ status: 404, json: { error: { code: 404, message: `Channel '${watched.id}' not found for project '636397034666'`, errors: [{ reason: 'notFound' }] } } });
    expect((await call('POST', '/drive/v3/channels/stop', { id: watched.id, resourceId: watched.resourceId })).status).toBe(404);

    const stopped = await call('POST', '/calendar/v3/channels/stop', { id: watched.id, resourceId: watched.resourceId });
    expect(stopped.status).toBe(204);
    expect(google.channels.isLive(watched.id)).toBe(false);
    expect((await call('POST', '/calendar/v3/channels/stop', { id: watched.id, resourceId: watched.resourceId })).status).toBe(404);
    await google.server.idle();
    receiver.received.length = 0;
    await google.channels.changeCalendar('primary');
    expect(receiver.received.filter((request) => header(request, 'x-goog-channel-id') === watched.id)).toEqual([]);
  });
});

describe('rate limit and the sync race', () => {
  it("answers Google's 403 rateLimitExceeded without Retry-After", async () => {
    google.server.rateLimit(1, 60_000);
    await call('GET', '/drive/v3/changes/startPageToken');
    const limited = await call('GET', '/drive/v3/changes/startPageToken');
    google.server.rateLimit(undefined);
    expect(limited).toMatchObject({ status: 403, json: { error: { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded' }] } } });
    expect(limited.headers.get('retry-after')).toBeNull();
  });

  it('can send sync before answering the watch, as Google says may happen', async () => {
    const racing = createFakeGoogle({ clock, log, syncTiming: 'before-response' });
    const origin = await racing.server.start();
    try {
      log.clear();
      await fetch(`${origin}/calendar/v3/calendars/primary/events/watch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GOOGLE_ACCESS_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(channel()),
      });
      const watchCall = log.first({ direction: 'in', path: '/calendar/v3/calendars/primary/events/watch' });
      const sync = log.first({ direction: 'out' });
      expect(sync.headers['x-goog-resource-state']).toBe('sync');
      expect(sync.answeredSeq!).toBeLessThan(watchCall.answeredSeq!);
    } finally {
      await racing.server.close();
    }
  });
});
