import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DAY, HOUR, MINUTE } from '../support/fake-clock.js';
import { delivered } from '../support/fake-delivery.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  graphql,
  insertConnectedIntegration,
  recordSubscriptionChanges,
  settle,
  startSubscriptionApp,
  storedSubscription,
  subscribe,
  tokenFor,
  useSubscriptionTest,
  type SubscriptionApp,
} from './support/subscription-harness.js';

/**
 * Microsoft Graph subscriptions end to end: the real app (its scheduler driven by `runDue`, its
 * clock shared with the fake) against the Graph fake, which validates the notification URLs
 * before answering the create call, expires subscriptions on its clock, and sends change and
 * lifecycle notifications to the app's /webhooks/microsoft.
 */
const test = useSubscriptionTest();
let integrationId: string;

beforeAll(async () => {
  integrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'microsoft');
});

describe('a Microsoft Graph subscription', () => {
  let id: string;
  let graphId: string;

  it('is created after Graph validated the notification and lifecycle URLs, within /me/events’ maximum lifetime', async () => {
    const changes = recordSubscriptionChanges(test.service.app, test.organizationId);
    const requested = await subscribe(test.service.url, test.token, integrationId, '/me/events');
    id = requested.id;
    expect(requested).toMatchObject({ resource: '/me/events', status: 'PENDING', externalId: null });

    expect(await test.runDue()).toBe(1);
    const row = await storedSubscription(test.service.app, id);
    expect(row).toMatchObject({ status: 'active', next_action: 'renew', last_error: null });
    graphId = row.external_id as string;
    const atGraph = test.fakes.microsoft.subscriptions.get(graphId)!;
    expect(atGraph).toMatchObject({ resource: '/me/events', notificationUrl: `${test.service.url}/webhooks/microsoft`, lifecycleNotificationUrl: `${test.service.url}/webhooks/microsoft` });
    expect(atGraph.expiresAt).toBeLessThanOrEqual(test.fakes.clock.now() + 10_080 * MINUTE);
    expect(new Date(row.renew_at as string).getTime()).toBeLessThan(new Date(row.expires_at as string).getTime());

    // Graph validated both URLs, and only then answered the create call.
    const create = test.fakes.log.first({ provider: 'microsoft', direction: 'in', method: 'POST', path: '/v1.0/subscriptions' });
    const validations = test.fakes.log.filter({ provider: 'microsoft', direction: 'out' }).filter((entry) => entry.query.validationToken);
    expect(validations).toHaveLength(2);
    for (const validation of validations) {
      expect(validation.status).toBe(200);
      expect(validation.seq).toBeGreaterThan(create.seq);
      expect(validation.answeredSeq!).toBeLessThan(create.answeredSeq!);
    }
    expect(test.fakes.microsoft.server.violations).toEqual([]);
    await settle();
    expect(changes.messages.map((message) => message.status)).toEqual(['pending', 'active']);
    changes.stop();
  });

  it('routes change notifications to the integration, recording the subscription and its last notification', async () => {
    const [delivery] = await test.fakes.microsoft.subscriptions.notify([{ subscriptionId: graphId }, { subscriptionId: graphId, changeType: 'updated' }]);
    expect(delivery!.status).toBe(202);
    expect((await test.eventsOf(id)).map((event) => event.event_type).sort()).toEqual(['created', 'updated']);
    expect((await storedSubscription(test.service.app, id)).last_notification_at).not.toBeNull();
  });

  it('is renewed by PATCH before it expires, and keeps delivering past its first expiry', async () => {
    const before = await storedSubscription(test.service.app, id);
    test.fakes.clock.set(new Date(before.renew_at as string).getTime() + MINUTE);
    expect(await test.runDue()).toBe(1);
    const after = await storedSubscription(test.service.app, id);
    expect(after.external_id).toBe(graphId);
    expect(new Date(after.expires_at as string).getTime()).toBeGreaterThan(new Date(before.expires_at as string).getTime());
    expect(test.fakes.microsoft.server.requests.filter((request) => request.method === 'PATCH' && request.path === `/v1.0/subscriptions/${graphId}`)).toHaveLength(1);

    test.fakes.clock.set(new Date(before.expires_at as string).getTime() + HOUR);
    expect(test.fakes.microsoft.subscriptions.get(graphId)).toBeDefined();
    expect(await test.runDue()).toBe(0); // nothing due until the next renewal
  });

  it('answers reauthorizationRequired by reauthorizing the subscription', async () => {
    test.fakes.clock.advance(20 * MINUTE); // Graph asks not to reauthorize within 10 minutes of a PATCH
    const delivery = await test.fakes.microsoft.subscriptions.lifecycle(graphId, 'reauthorizationRequired');
    expect(delivery!.status).toBe(202);
    expect(await storedSubscription(test.service.app, id)).toMatchObject({ next_action: 'reauthorize' });
    expect(await test.runDue()).toBe(1);
    expect(test.fakes.microsoft.server.count('POST', `/v1.0/subscriptions/${graphId}/reauthorize`)).toBe(1);
    expect(test.fakes.microsoft.subscriptions.get(graphId)!.reauthorizationRequired).toBe(false);
    expect(await storedSubscription(test.service.app, id)).toMatchObject({ status: 'active', next_action: 'renew' });
    // Lifecycle notifications drive the scheduler; they are not events of the organization.
    expect((await test.eventsOf(id)).map((event) => event.event_type)).not.toContain('reauthorizationRequired');
  });

  it('records and publishes a missed notification', async () => {
    const changes = recordSubscriptionChanges(test.service.app, test.organizationId);
    await test.fakes.microsoft.subscriptions.lifecycle(graphId, 'missed');
    await settle();
    expect(await storedSubscription(test.service.app, id)).toMatchObject({ missed_notifications: 1 });
    expect(changes.messages.at(-1)).toMatchObject({ id, missedNotifications: 1 });
    changes.stop();
  });

  it('is created again when Graph removes it (subscriptionRemoved)', async () => {
    const changes = recordSubscriptionChanges(test.service.app, test.organizationId);
    const delivery = await test.fakes.microsoft.subscriptions.lifecycle(graphId, 'subscriptionRemoved');
    expect(delivery!.status).toBe(202);
    expect(await storedSubscription(test.service.app, id)).toMatchObject({ status: 'expired', next_action: 'create' });
    expect(await test.runDue()).toBe(1);
    const row = await storedSubscription(test.service.app, id);
    expect(row.status).toBe('active');
    expect(row.external_id).not.toBe(graphId);
    expect(test.fakes.microsoft.subscriptions.get(row.external_id as string)).toBeDefined();
    // The old subscription's notifications are no longer routed; the new one's are.
    const [late] = await test.fakes.microsoft.subscriptions.notify([{ subscriptionId: row.external_id as string }]);
    expect(late!.status).toBe(202);
    await settle();
    expect(changes.messages.map((message) => message.status)).toEqual(expect.arrayContaining(['expired', 'active']));
    graphId = row.external_id as string;
    changes.stop();
  });

  it('is stopped at Graph on unsubscribe; later notifications for it are acknowledged and not stored', async () => {
    const stored = (await test.eventsOf(id)).length;
    const result = await graphql<{ unsubscribeFromResource: { status: string } }>(test.service.url, test.token, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { status } }', { id });
    expect(result.errors).toBeUndefined();
    expect(result.data!.unsubscribeFromResource.status).toBe('STOPPED');
    expect(test.fakes.microsoft.server.count('DELETE', `/v1.0/subscriptions/${graphId}`)).toBe(1);
    expect(test.fakes.microsoft.subscriptions.get(graphId)).toBeUndefined();
    expect(await storedSubscription(test.service.app, id)).toMatchObject({ status: 'stopped', renew_at: null });

    // A notification still in flight at Graph: answered 202 so it is not retried, never stored.
    const forged = await fetch(`${test.service.url}/webhooks/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: graphId, clientState: 'whatever', changeType: 'created', resource: 'me/events/1' }] }),
    });
    expect(forged.status).toBe(202);
    expect(await test.eventsOf(id)).toHaveLength(stored);
    expect(test.service.logs.some((line) => line.includes('unknown or stopped subscriptions acknowledged'))).toBe(true);
  });
});

describe('subscribeToResource', () => {
  it('is idempotent for the same integration and resource', async () => {
    const first = await subscribe(test.service.url, test.token, integrationId, '/me/messages');
    const second = await subscribe(test.service.url, test.token, integrationId, '/me/messages');
    expect(second.id).toBe(first.id);
  });

  it('refuses a resource outside the provider’s patterns, naming the accepted forms', async () => {
    const result = await graphql(test.service.url, test.token, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: '/me/contacts' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain("/me/mailFolders('{folderId}')/messages");
  });

  it('says Slack has nothing to subscribe to', async () => {
    const slack = await insertConnectedIntegration(test.service.app, test.organizationId, 'slack');
    const result = await graphql(test.service.url, test.token, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId: slack, resource: 'channels' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/Events API/);
  });

  it('needs the role that disconnecting needs', async () => {
    const bob = await tokenFor(test.service.app, test.organizationId, 'bob');
    const result = await graphql(test.service.url, bob, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: '/me/events' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = await tokenFor(test.service.app, test.organizationId, 'carol', ['admin']);
    const allowed = await graphql(test.service.url, admin, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: "/me/mailFolders('Inbox')/messages" },
    });
    expect(allowed.errors).toBeUndefined();
  });

  it('answers NOT_FOUND for another organization’s integration or subscription', async () => {
    const stranger = await tokenFor(test.service.app, randomUUID(), 'alice', ['admin']);
    const subscribed = await graphql(test.service.url, stranger, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: '/me/events' },
    });
    expect(subscribed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const mine = await subscribe(test.service.url, test.token, integrationId, '/me/messages');
    const unsubscribed = await graphql(test.service.url, stranger, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { id } }', { id: mine.id });
    expect(unsubscribed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists an integration’s subscriptions', async () => {
    const result = await graphql<{ integration: { providerSubscriptions: { resource: string }[] } }>(
      test.service.url,
      test.token,
      'query I($id: ID!) { integration(id: $id) { providerSubscriptions { resource status integration { id } } } }',
      { id: integrationId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.integration.providerSubscriptions.map((subscription) => subscription.resource)).toEqual(
      expect.arrayContaining(['/me/events', '/me/messages', "/me/mailFolders('Inbox')/messages"]),
    );
  });
});

describe('when Graph cannot validate the notification URL', () => {
  let own: TestDatabase;
  let unreachable: SubscriptionApp;
  afterAll(async () => {
    await unreachable?.close();
    await own?.close();
  });

  it('the subscription is FAILED with a clear lastError and retried slowly, not in a storm', async () => {
    own = await createTestDatabase();
    // PUBLIC_URL names a port nobody listens on: Graph's validation request fails.
    unreachable = await startSubscriptionApp(own.url, test.fakes, { PUBLIC_URL: 'http://127.0.0.1:9' });
    const otherOrganization = randomUUID();
    const otherIntegration = await insertConnectedIntegration(unreachable.app, otherOrganization, 'microsoft');
    const requested = await subscribe(unreachable.url, await tokenFor(unreachable.app, otherOrganization), otherIntegration, '/me/events');
    const creates = () => test.fakes.microsoft.server.requests.filter((request) => request.method === 'POST' && request.path === '/v1.0/subscriptions').length;
    const before = creates();

    expect(await unreachable.app.subscriptions.scheduler.runDue()).toBe(1);
    const row = await storedSubscription(unreachable.app, requested.id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/could not validate the notification URL http:\/\/127\.0\.0\.1:9\/webhooks\/microsoft/);
    expect(row.last_error).toMatch(/PUBLIC_URL/);
    expect(creates()).toBe(before + 1);

    // The next attempt is far off (the slow pace), so passes in the meantime send nothing.
    expect(new Date(row.renew_at as string).getTime()).toBeGreaterThanOrEqual(test.fakes.clock.now() + 59 * MINUTE);
    expect(await unreachable.app.subscriptions.scheduler.runDue()).toBe(0);
    expect(creates()).toBe(before + 1);
    expect(delivered(test.fakes.microsoft.deliveries.at(-1)!)).toBe(false);
  });
});

describe('a lapsed subscription after a restart', () => {
  let own: TestDatabase;
  afterAll(async () => own?.close());

  it('is EXPIRED and created again by the instance that starts after its expiry', async () => {
    own = await createTestDatabase();
    const otherOrganization = randomUUID();
    const first = await startSubscriptionApp(own.url, test.fakes);
    const otherIntegration = await insertConnectedIntegration(first.app, otherOrganization, 'microsoft');
    const requested = await subscribe(first.url, await tokenFor(first.app, otherOrganization), otherIntegration, '/me/messages');
    await first.app.subscriptions.scheduler.runDue();
    const created = await storedSubscription(first.app, requested.id);
    expect(created.status).toBe('active');
    await first.close();

    // Down for eight days: the subscription lapsed at Graph.
    test.fakes.clock.advance(8 * DAY);
    expect(test.fakes.microsoft.subscriptions.get(created.external_id as string)).toBeUndefined();

    const second = await startSubscriptionApp(own.url, test.fakes);
    try {
      const changes = recordSubscriptionChanges(second.app, otherOrganization);
      await second.app.subscriptions.scheduler.runDue();
      await settle();
      const recreated = await storedSubscription(second.app, requested.id);
      expect(recreated.status).toBe('active');
      expect(recreated.external_id).not.toBe(created.external_id);
      expect(test.fakes.microsoft.subscriptions.get(recreated.external_id as string)).toBeDefined();
      expect(changes.messages.map((message) => message.status)).toEqual(['expired', 'active']);
      changes.stop();
    } finally {
      await second.close();
    }
  });
});
