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
  startProviderFakes,
  startSubscriptionApp,
  storedSubscription,
  subscribe,
  tokenFor,
  type ProviderFakes,
  type SubscriptionApp,
} from './support/subscription-harness.js';

/**
 * Microsoft Graph subscriptions end to end: the real app (its scheduler driven by `runDue`, its
 * clock shared with the fake) against the Graph fake, which validates the notification URLs
 * before answering the create call, expires subscriptions on its clock, and sends change and
 * lifecycle notifications to the app's /webhooks/microsoft.
 */
let db: TestDatabase;
let fakes: ProviderFakes;
let service: SubscriptionApp;
const organizationId = randomUUID();
let token: string;
let integrationId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  fakes = await startProviderFakes();
  service = await startSubscriptionApp(db.url, fakes);
  token = await tokenFor(service.app, organizationId);
  integrationId = await insertConnectedIntegration(service.app, organizationId, 'microsoft');
});

afterAll(async () => {
  await service?.close();
  await fakes?.close();
  await db?.close();
});

const runDue = () => service.app.subscriptions.scheduler.runDue();

const eventsOf = (subscriptionId: string) =>
  service.app.database.asSystem((em) =>
    em.execute<{ event_type: string; provider_subscription_id: string | null }[]>(`select event_type, provider_subscription_id from webhook_events where provider_subscription_id = ?`, [
      subscriptionId,
    ]),
  );

describe('a Microsoft Graph subscription', () => {
  let id: string;
  let graphId: string;

  it('is created after Graph validated the notification and lifecycle URLs, within /me/events’ maximum lifetime', async () => {
    const changes = recordSubscriptionChanges(service.app, organizationId);
    const requested = await subscribe(service.url, token, integrationId, '/me/events');
    id = requested.id;
    expect(requested).toMatchObject({ resource: '/me/events', status: 'PENDING', externalId: null });

    expect(await runDue()).toBe(1);
    const row = await storedSubscription(service.app, id);
    expect(row).toMatchObject({ status: 'active', next_action: 'renew', last_error: null });
    graphId = row.external_id as string;
    const atGraph = fakes.microsoft.subscriptions.get(graphId)!;
    expect(atGraph).toMatchObject({ resource: '/me/events', notificationUrl: `${service.url}/webhooks/microsoft`, lifecycleNotificationUrl: `${service.url}/webhooks/microsoft` });
    expect(atGraph.expiresAt).toBeLessThanOrEqual(fakes.clock.now() + 10_080 * MINUTE);
    expect(new Date(row.renew_at as string).getTime()).toBeLessThan(new Date(row.expires_at as string).getTime());

    // Graph validated both URLs, and only then answered the create call.
    const create = fakes.log.first({ provider: 'microsoft', direction: 'in', method: 'POST', path: '/v1.0/subscriptions' });
    const validations = fakes.log.filter({ provider: 'microsoft', direction: 'out' }).filter((entry) => entry.query.validationToken);
    expect(validations).toHaveLength(2);
    for (const validation of validations) {
      expect(validation.status).toBe(200);
      expect(validation.seq).toBeGreaterThan(create.seq);
      expect(validation.answeredSeq!).toBeLessThan(create.answeredSeq!);
    }
    expect(fakes.microsoft.server.violations).toEqual([]);
    await settle();
    expect(changes.messages.map((message) => message.status)).toEqual(['pending', 'active']);
    changes.stop();
  });

  it('routes change notifications to the integration, recording the subscription and its last notification', async () => {
    const [delivery] = await fakes.microsoft.subscriptions.notify([{ subscriptionId: graphId }, { subscriptionId: graphId, changeType: 'updated' }]);
    expect(delivery!.status).toBe(202);
    expect((await eventsOf(id)).map((event) => event.event_type).sort()).toEqual(['created', 'updated']);
    expect((await storedSubscription(service.app, id)).last_notification_at).not.toBeNull();
  });

  it('is renewed by PATCH before it expires, and keeps delivering past its first expiry', async () => {
    const before = await storedSubscription(service.app, id);
    fakes.clock.set(new Date(before.renew_at as string).getTime() + MINUTE);
    expect(await runDue()).toBe(1);
    const after = await storedSubscription(service.app, id);
    expect(after.external_id).toBe(graphId);
    expect(new Date(after.expires_at as string).getTime()).toBeGreaterThan(new Date(before.expires_at as string).getTime());
    expect(fakes.microsoft.server.requests.filter((request) => request.method === 'PATCH' && request.path === `/v1.0/subscriptions/${graphId}`)).toHaveLength(1);

    fakes.clock.set(new Date(before.expires_at as string).getTime() + HOUR);
    expect(fakes.microsoft.subscriptions.get(graphId)).toBeDefined();
    expect(await runDue()).toBe(0); // nothing due until the next renewal
  });

  it('answers reauthorizationRequired by reauthorizing the subscription', async () => {
    fakes.clock.advance(20 * MINUTE); // Graph asks not to reauthorize within 10 minutes of a PATCH
    const delivery = await fakes.microsoft.subscriptions.lifecycle(graphId, 'reauthorizationRequired');
    expect(delivery!.status).toBe(202);
    expect(await storedSubscription(service.app, id)).toMatchObject({ next_action: 'reauthorize' });
    expect(await runDue()).toBe(1);
    expect(fakes.microsoft.server.count('POST', `/v1.0/subscriptions/${graphId}/reauthorize`)).toBe(1);
    expect(fakes.microsoft.subscriptions.get(graphId)!.reauthorizationRequired).toBe(false);
    expect(await storedSubscription(service.app, id)).toMatchObject({ status: 'active', next_action: 'renew' });
    // Lifecycle notifications drive the scheduler; they are not events of the organization.
    expect((await eventsOf(id)).map((event) => event.event_type)).not.toContain('reauthorizationRequired');
  });

  it('records and publishes a missed notification', async () => {
    const changes = recordSubscriptionChanges(service.app, organizationId);
    await fakes.microsoft.subscriptions.lifecycle(graphId, 'missed');
    await settle();
    expect(await storedSubscription(service.app, id)).toMatchObject({ missed_notifications: 1 });
    expect(changes.messages.at(-1)).toMatchObject({ id, missedNotifications: 1 });
    changes.stop();
  });

  it('is created again when Graph removes it (subscriptionRemoved)', async () => {
    const changes = recordSubscriptionChanges(service.app, organizationId);
    const delivery = await fakes.microsoft.subscriptions.lifecycle(graphId, 'subscriptionRemoved');
    expect(delivery!.status).toBe(202);
    expect(await storedSubscription(service.app, id)).toMatchObject({ status: 'expired', next_action: 'create' });
    expect(await runDue()).toBe(1);
    const row = await storedSubscription(service.app, id);
    expect(row.status).toBe('active');
    expect(row.external_id).not.toBe(graphId);
    expect(fakes.microsoft.subscriptions.get(row.external_id as string)).toBeDefined();
    // The old subscription's notifications are no longer routed; the new one's are.
    const [late] = await fakes.microsoft.subscriptions.notify([{ subscriptionId: row.external_id as string }]);
    expect(late!.status).toBe(202);
    await settle();
    expect(changes.messages.map((message) => message.status)).toEqual(expect.arrayContaining(['expired', 'active']));
    graphId = row.external_id as string;
    changes.stop();
  });

  it('is stopped at Graph on unsubscribe; later notifications for it are acknowledged and not stored', async () => {
    const stored = (await eventsOf(id)).length;
    const result = await graphql<{ unsubscribeFromResource: { status: string } }>(service.url, token, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { status } }', { id });
    expect(result.errors).toBeUndefined();
    expect(result.data!.unsubscribeFromResource.status).toBe('STOPPED');
    expect(fakes.microsoft.server.count('DELETE', `/v1.0/subscriptions/${graphId}`)).toBe(1);
    expect(fakes.microsoft.subscriptions.get(graphId)).toBeUndefined();
    expect(await storedSubscription(service.app, id)).toMatchObject({ status: 'stopped', renew_at: null });

    // A notification still in flight at Graph: answered 202 so it is not retried, never stored.
    const forged = await fetch(`${service.url}/webhooks/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: graphId, clientState: 'whatever', changeType: 'created', resource: 'me/events/1' }] }),
    });
    expect(forged.status).toBe(202);
    expect(await eventsOf(id)).toHaveLength(stored);
    expect(service.logs.some((line) => line.includes('unknown or stopped subscriptions acknowledged'))).toBe(true);
  });
});

describe('subscribeToResource', () => {
  it('is idempotent for the same integration and resource', async () => {
    const first = await subscribe(service.url, token, integrationId, '/me/messages');
    const second = await subscribe(service.url, token, integrationId, '/me/messages');
    expect(second.id).toBe(first.id);
  });

  it('refuses a resource outside the provider’s patterns, naming the accepted forms', async () => {
    const result = await graphql(service.url, token, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: '/me/contacts' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain("/me/mailFolders('{folderId}')/messages");
  });

  it('says Slack has nothing to subscribe to', async () => {
    const slack = await insertConnectedIntegration(service.app, organizationId, 'slack');
    const result = await graphql(service.url, token, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId: slack, resource: 'channels' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/Events API/);
  });

  it('needs the role that disconnecting needs', async () => {
    const bob = await tokenFor(service.app, organizationId, 'bob');
    const result = await graphql(service.url, bob, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: '/me/events' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = await tokenFor(service.app, organizationId, 'carol', ['admin']);
    const allowed = await graphql(service.url, admin, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: "/me/mailFolders('Inbox')/messages" },
    });
    expect(allowed.errors).toBeUndefined();
  });

  it('answers NOT_FOUND for another organization’s integration or subscription', async () => {
    const stranger = await tokenFor(service.app, randomUUID(), 'alice', ['admin']);
    const subscribed = await graphql(service.url, stranger, 'mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { id } }', {
      input: { integrationId, resource: '/me/events' },
    });
    expect(subscribed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const mine = await subscribe(service.url, token, integrationId, '/me/messages');
    const unsubscribed = await graphql(service.url, stranger, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { id } }', { id: mine.id });
    expect(unsubscribed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists an integration’s subscriptions', async () => {
    const result = await graphql<{ integration: { providerSubscriptions: { resource: string }[] } }>(
      service.url,
      token,
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
    unreachable = await startSubscriptionApp(own.url, fakes, { PUBLIC_URL: 'http://127.0.0.1:9' });
    const otherOrganization = randomUUID();
    const otherIntegration = await insertConnectedIntegration(unreachable.app, otherOrganization, 'microsoft');
    const requested = await subscribe(unreachable.url, await tokenFor(unreachable.app, otherOrganization), otherIntegration, '/me/events');
    const creates = () => fakes.microsoft.server.requests.filter((request) => request.method === 'POST' && request.path === '/v1.0/subscriptions').length;
    const before = creates();

    expect(await unreachable.app.subscriptions.scheduler.runDue()).toBe(1);
    const row = await storedSubscription(unreachable.app, requested.id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/could not validate the notification URL http:\/\/127\.0\.0\.1:9\/webhooks\/microsoft/);
    expect(row.last_error).toMatch(/PUBLIC_URL/);
    expect(creates()).toBe(before + 1);

    // The next attempt is far off (the slow pace), so passes in the meantime send nothing.
    expect(new Date(row.renew_at as string).getTime()).toBeGreaterThanOrEqual(fakes.clock.now() + 59 * MINUTE);
    expect(await unreachable.app.subscriptions.scheduler.runDue()).toBe(0);
    expect(creates()).toBe(before + 1);
    expect(delivered(fakes.microsoft.deliveries.at(-1)!)).toBe(false);
  });
});

describe('a lapsed subscription after a restart', () => {
  let own: TestDatabase;
  afterAll(async () => own?.close());

  it('is EXPIRED and created again by the instance that starts after its expiry', async () => {
    own = await createTestDatabase();
    const otherOrganization = randomUUID();
    const first = await startSubscriptionApp(own.url, fakes);
    const otherIntegration = await insertConnectedIntegration(first.app, otherOrganization, 'microsoft');
    const requested = await subscribe(first.url, await tokenFor(first.app, otherOrganization), otherIntegration, '/me/messages');
    await first.app.subscriptions.scheduler.runDue();
    const created = await storedSubscription(first.app, requested.id);
    expect(created.status).toBe('active');
    await first.close();

    // Down for eight days: the subscription lapsed at Graph.
    fakes.clock.advance(8 * DAY);
    expect(fakes.microsoft.subscriptions.get(created.external_id as string)).toBeUndefined();

    const second = await startSubscriptionApp(own.url, fakes);
    try {
      const changes = recordSubscriptionChanges(second.app, otherOrganization);
      await second.app.subscriptions.scheduler.runDue();
      await settle();
      const recreated = await storedSubscription(second.app, requested.id);
      expect(recreated.status).toBe('active');
      expect(recreated.external_id).not.toBe(created.external_id);
      expect(fakes.microsoft.subscriptions.get(recreated.external_id as string)).toBeDefined();
      expect(changes.messages.map((message) => message.status)).toEqual(['expired', 'active']);
      changes.stop();
    } finally {
      await second.close();
    }
  });
});
