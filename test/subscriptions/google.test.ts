import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DAY, MINUTE } from '../support/fake-clock.js';
import { GMAIL_PUBLISHER } from '../support/fake-gmail-watch.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  graphql,
  insertConnectedIntegration,
  settle,
  startSubscriptionApp,
  storedSubscription,
  subscribe,
  tokenFor,
  useSubscriptionTest,
  type SubscriptionApp,
} from './support/subscription-harness.js';

/**
 * Google Calendar and Drive push channels, and Gmail watches through Pub/Sub, end to end
 * against the Google fake: `sync` first, channels that cannot be extended (a new one opens
 * before the old one is stopped, with its id and resourceId), expiry on the fake's clock, and
 * Pub/Sub pushes carrying Google-signed OIDC tokens.
 */
const TOPIC = 'projects/integrations-test/topics/gmail-push';
const AUDIENCE = 'https://integrations.example/webhooks/google';
const PUSHER = 'gmail-push@integrations-test.iam.gserviceaccount.com';

const test = useSubscriptionTest({
  beforeApp: async (fakes) => {
    fakes.google.pubsub.createTopic(TOPIC, [GMAIL_PUBLISHER]);
  },
  env: (fakes) => ({
    GOOGLE_PUBSUB_TOPIC: TOPIC,
    GOOGLE_PUBSUB_AUDIENCE: AUDIENCE,
    GOOGLE_PUBSUB_SERVICE_ACCOUNT: PUSHER,
    GOOGLE_PUBSUB_JWKS_URL: `${fakes.google.server.url}/oauth2/v3/certs`,
  }),
  afterApp: async ({ fakes, service }) => {
    fakes.google.pubsub.createPushSubscription({
      name: 'projects/integrations-test/subscriptions/gmail-push',
      topic: TOPIC,
      pushEndpoint: `${service.url}/webhooks/google`,
      audience: AUDIENCE,
      serviceAccountEmail: PUSHER,
    });
  },
});
let integrationId: string;

beforeAll(async () => {
  integrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'google');
});

describe('a Google Calendar watch channel', () => {
  let id: string;
  let channelId: string;

  it('opens a channel whose sync message is acknowledged and not stored', async () => {
    id = (await subscribe(test.service.url, test.token, integrationId, 'calendar/primary')).id;
    expect(await test.runDue()).toBe(1);
    await test.fakes.google.server.idle();
    const row = await storedSubscription(test.service.app, id);
    expect(row.status).toBe('active');
    channelId = row.external_id as string;
    const channel = test.fakes.google.channels.channels.get(channelId)!;
    expect(channel).toMatchObject({ address: `${test.service.url}/webhooks/google`, watched: 'calendar:ada@example.com' });
    expect((row.state as { resourceId: string }).resourceId).toBe(channel.resourceId);
    expect(new Date(row.expires_at as string).getTime()).toBe(channel.expiresAt);
    const sync = test.fakes.google.deliveries.find((delivery) => delivery.kind === 'sync' && delivery.headers['x-goog-channel-id'] === channelId)!;
    expect(sync.status).toBe(200);
    expect(await test.eventsOf(id)).toEqual([]);
    expect(test.fakes.google.server.violations).toEqual([]);
  });

  it('stores changes with the subscription they came through', async () => {
    const [delivery] = await test.fakes.google.channels.changeCalendar('primary');
    expect(delivery!.status).toBe(200);
    expect((await test.eventsOf(id)).map((event) => event.event_type)).toEqual(['exists']);
  });

  it('is renewed by a new channel that is live before the old one is stopped with its id and resourceId', async () => {
    const before = await storedSubscription(test.service.app, id);
    test.fakes.clock.set(new Date(before.renew_at as string).getTime() + MINUTE);
    expect(await test.runDue()).toBe(1);
    await test.fakes.google.server.idle();
    const after = await storedSubscription(test.service.app, id);
    const renewedId = after.external_id as string;
    expect(renewedId).not.toBe(channelId);
    expect(test.fakes.google.channels.isLive(renewedId)).toBe(true);
    expect(test.fakes.google.channels.isLive(channelId)).toBe(false);

    const watches = test.fakes.log.filter({ provider: 'google', direction: 'in', method: 'POST', path: '/calendar/v3/calendars/primary/events/watch' });
    const stop = test.fakes.log.first({ provider: 'google', direction: 'in', method: 'POST', path: '/calendar/v3/channels/stop' });
    expect(stop.body).toEqual({ id: channelId, resourceId: (before.state as { resourceId: string }).resourceId });
    expect(stop.status).toBe(204);
    // The new channel was open (answered) before the old one's stop was even sent.
    expect(watches.at(-1)!.answeredSeq!).toBeLessThan(stop.seq);
    expect(new Date(after.expires_at as string).getTime()).toBeGreaterThan(new Date(before.expires_at as string).getTime());

    // Only the new channel is routed now.
    const [change] = await test.fakes.google.channels.changeCalendar('primary');
    expect(change!.headers['x-goog-channel-id']).toBe(renewedId);
    expect(change!.status).toBe(200);
    const stored = (await test.eventsOf(id)).length;
    const stale = await fetch(`${test.service.url}/webhooks/google`, {
      method: 'POST',
      headers: { 'x-goog-channel-id': channelId, 'x-goog-channel-token': 'x', 'x-goog-resource-state': 'exists', 'x-goog-message-number': '99' },
    });
    expect(stale.status).toBe(404);
    expect(await test.eventsOf(id)).toHaveLength(stored);
    expect(test.service.logs.some((line) => line.includes('webhook rejected') && line.includes('unknown Google channel'))).toBe(true);
    expect(test.fakes.google.server.violations).toEqual([]);
  });

  it('is created again when it lapsed before its renewal came round', async () => {
    const before = await storedSubscription(test.service.app, id);
    test.fakes.clock.set(new Date(before.expires_at as string).getTime() + MINUTE);
    expect(await test.runDue()).toBeGreaterThanOrEqual(1);
    const after = await storedSubscription(test.service.app, id);
    expect(after.status).toBe('active');
    expect(test.fakes.google.channels.isLive(after.external_id as string)).toBe(true);
  });
});

describe('a Google Drive changes channel', () => {
  it('watches from the start page test.token, and keeps it across renewals', async () => {
    const { id } = await subscribe(test.service.url, test.token, integrationId, 'drive/changes');
    expect(await test.runDue()).toBe(1);
    const row = await storedSubscription(test.service.app, id);
    const pageToken = (row.state as { pageToken: string }).pageToken;
    expect(pageToken).toBe(test.fakes.google.channels.startPageToken());
    const watch = test.fakes.log.first({ provider: 'google', direction: 'in', method: 'POST', path: '/drive/v3/changes/watch' });
    expect(watch.query.pageToken).toBe(pageToken);

    test.fakes.clock.set(new Date(row.renew_at as string).getTime() + MINUTE);
    await test.runDue();
    const renewed = test.fakes.log.filter({ provider: 'google', direction: 'in', method: 'POST', path: '/drive/v3/changes/watch' }).at(-1)!;
    expect(renewed.query.pageToken).toBe(pageToken);
    expect(test.fakes.log.filter({ provider: 'google', direction: 'in', path: '/drive/v3/channels/stop' }).at(-1)!.status).toBe(204);
    expect(test.fakes.google.server.violations).toEqual([]);
  });
});

describe('Google rate limits', () => {
  it('takes a 403 rateLimitExceeded as a request to slow down: no failure, tried again after the wait', async () => {
    const { id } = await subscribe(test.service.url, test.token, integrationId, 'calendar/team@group.calendar.google.com');
    test.fakes.google.server.rateLimit(0);
    try {
      expect(await test.runDue()).toBe(1);
    } finally {
      test.fakes.google.server.rateLimit(undefined);
    }
    expect(test.fakes.google.server.rateLimitedCount).toBeGreaterThan(0);
    const limited = await storedSubscription(test.service.app, id);
    // A refusal would have counted an attempt and set lastError; a rate limit only waits.
    expect(limited).toMatchObject({ status: 'pending', attempts: 0, last_error: null, failing_since: null });
    expect(new Date(limited.renew_at as string).getTime()).toBeGreaterThan(test.fakes.clock.now());

    test.fakes.clock.set(new Date(limited.renew_at as string).getTime() + 1);
    expect(await test.runDue()).toBe(1);
    expect((await storedSubscription(test.service.app, id)).status).toBe('active');
  });
});

describe('a Gmail watch', () => {
  let id: string;

  it('watches the label on the configured topic; Pub/Sub pushes verified as Google OIDC tokens become events', async () => {
    id = (await subscribe(test.service.url, test.token, integrationId, 'gmail/INBOX')).id;
    expect(await test.runDue()).toBe(1);
    await test.fakes.google.server.idle();
    const row = await storedSubscription(test.service.app, id);
    expect(row).toMatchObject({ status: 'active', external_id: 'ada@example.com' });
    expect(test.fakes.google.gmail.watches.get('default')).toMatchObject({ topicName: TOPIC, labelIds: ['INBOX'], labelFilterBehavior: 'include' });
    expect(await test.eventsOf(id)).toEqual([]);

    const [outcome] = await test.fakes.google.gmail.receiveMail({ labelIds: ['INBOX'] });
    expect(outcome!.acknowledged).toBe(true);
    const events = await test.eventsOf(id);
    expect(events.map((event) => event.event_type)).toEqual(['gmail.history']);
    expect(events[0]!.payload).toMatchObject({ emailAddress: 'ada@example.com', historyId: test.fakes.google.gmail.historyId() });
  });

  it.each([
    ['another audience', { audience: 'https://elsewhere.example/push' }],
    ['another issuer', { issuer: 'https://accounts.example.com' }],
    ['another service account', { email: 'mallory@evil.iam.gserviceaccount.com' }],
    ['an expired token', { expiresInSeconds: -600 }],
    ['a key Google does not hold', { foreignKey: true }],
    ['no token', { omit: true }],
  ])('refuses a push with %s and stores nothing', async (_case, overrides) => {
    const before = (await test.eventsOf(id)).length;
    const [outcome] = await test.fakes.google.pubsub.publish(TOPIC, { emailAddress: 'ada@example.com', historyId: 42 }, { token: overrides });
    expect(outcome!.acknowledged).toBe(false);
    expect(outcome!.attempts.every((attempt) => attempt.status === 401)).toBe(true);
    expect(await test.eventsOf(id)).toHaveLength(before);
  });

  it('acknowledges a push for a mailbox nobody subscribes to, storing nothing', async () => {
    const [outcome] = await test.fakes.google.pubsub.publish(TOPIC, { emailAddress: 'nobody@example.com', historyId: 7 });
    expect(outcome!.acknowledged).toBe(true);
    expect(outcome!.attempts).toHaveLength(1);
  });

  it('is watched again daily, before the 7-day expiry', async () => {
    const before = await storedSubscription(test.service.app, id);
    expect(new Date(before.renew_at as string).getTime()).toBeLessThanOrEqual(test.fakes.clock.now() + DAY);
    const watches = () => test.fakes.google.server.count('POST', '/gmail/v1/users/me/watch');
    const count = watches();
    test.fakes.clock.set(new Date(before.renew_at as string).getTime() + MINUTE);
    await test.runDue();
    expect(watches()).toBe(count + 1);
    expect(test.fakes.google.gmail.isWatching()).toBe(true);
  });

  it('stops the mailbox watch when its last Gmail subscription goes', async () => {
    const result = await graphql<{ unsubscribeFromResource: { status: string } }>(test.service.url, test.token, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { status } }', { id });
    expect(result.data!.unsubscribeFromResource.status).toBe('STOPPED');
    expect(test.fakes.google.server.count('POST', '/gmail/v1/users/me/stop')).toBe(1);
    expect(test.fakes.google.gmail.isWatching()).toBe(false);
    await settle();
  });
});

describe('without GOOGLE_PUBSUB_TOPIC', () => {
  let plain: SubscriptionApp;
  let own: TestDatabase;
  afterAll(async () => {
    await plain?.close();
    await own?.close();
  });

  it('refuses Gmail subscriptions, saying what is missing', async () => {
    own = await createTestDatabase();
    plain = await startSubscriptionApp(own.url, test.fakes);
    const organization = randomUUID();
    const google = await insertConnectedIntegration(plain.app, organization, 'google');
    const result = await graphql(plain.url, await tokenFor(plain.app, organization), 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId: google, resource: 'gmail/INBOX' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/GOOGLE_PUBSUB_TOPIC/);
  });
});
