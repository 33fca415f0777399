import { describe, expect, it } from '@jest/globals';
import { graphql, storedSubscription, useSubscriptionTest } from '../subscriptions/support/subscription-harness.js';
import { connectSandbox, storedTokens } from './support/sandbox-connection.js';

/**
 * The sandbox's webhook subscriptions through the real scheduler and the generic protocol (the
 * entry's `subscriptionApi`, no code for the sandbox): created on connect, renewed before they
 * expire, created again once one has lapsed (an expired one hears nothing), stopped on
 * disconnect. Items created through the proxy reach `/webhooks/sandbox/<endpoint>` as Standard
 * Webhooks signed with the subscription's secret, and are verified, routed and stored. The
 * scheduler and the sandbox share a clock the test moves; deliveries are real HTTP.
 */
const test = useSubscriptionTest({
  overrides: (fakes) => ({ sandbox: { clock: () => fakes.clock.now(), sender: { retryDelaysMs: [100, 200] } } }),
});

const MINUTE = 60_000;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const createItem = async (integrationId: string, title: string) => {
  const response = await fetch(`${test.service.url}/proxy/${integrationId}/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${test.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  expect(response.status).toBe(201);
};

async function sandboxSubscription(integrationId: string): Promise<Record<string, unknown> & { id: string; status: string; external_id: string | null; expires_at: Date | null; state: { hook?: string } }> {
  const [row] = await test.service.app.database.asSystem((em) =>
    em.execute<{ id: string }[]>(`select id from provider_subscriptions where integration_id = ? and resource = 'items'`, [integrationId]),
  );
  return (await storedSubscription(test.service.app, row!.id)) as never;
}

/** Runs the scheduler until the subscription is ACTIVE (a lapsed one is first marked EXPIRED, then created). */
async function runUntilActive(integrationId: string) {
  for (let pass = 0; pass < 5; pass += 1) {
    await test.runDue();
    const row = await sandboxSubscription(integrationId);
    if (row.status === 'active') return row;
  }
  throw new Error('the subscription did not become active');
}

const titlesOf = async (subscriptionId: string) =>
  (await test.eventsOf(subscriptionId)).map((event) => `${event.event_type}:${(event.payload.data as { item: { title: string } }).item.title}`);

describe('sandbox subscriptions and webhooks', () => {
  let integrationId = '';

  it('creates the default subscription on connect; a new item arrives as a verified, routed, stored webhook', async () => {
    ({ integrationId } = await connectSandbox(test));
    const created = await runUntilActive(integrationId);
    expect(created.external_id).toEqual(expect.any(String));
    expect(new Date(created.expires_at!).getTime()).toBe(test.fakes.clock.now() + 5 * MINUTE);

    await createItem(integrationId, 'Hello');
    expect(await eventually(() => titlesOf(created.id), (titles) => titles.length > 0, 'the webhook event')).toEqual(['item.created:Hello']);
    const [stored] = await test.service.app.database.asSystem((em) =>
      em.execute<{ integration_id: string; delivery_id: string }[]>(`select integration_id, delivery_id from webhook_events where provider_subscription_id = ?`, [created.id]),
    );
    expect(stored).toMatchObject({ integration_id: integrationId, delivery_id: expect.stringMatching(/:msg_/) });
  });

  it('refuses a delivery to the endpoint that is not signed with the subscription secret', async () => {
    const { state } = await sandboxSubscription(integrationId);
    const body = JSON.stringify({ type: 'item.created', data: { item: { title: 'forged' } } });
    const response = await fetch(`${test.service.url}/webhooks/sandbox/${state.hook}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': `v1,${Buffer.from('not the signature').toString('base64')}`,
      },
      body,
    });
    expect(response.status).toBe(401);
  });

  it('renews it at the sandbox before it expires', async () => {
    const before = await sandboxSubscription(integrationId);
    test.fakes.clock.advance(4 * MINUTE + 10_000);
    await test.runDue();
    const after = await sandboxSubscription(integrationId);
    expect(after).toMatchObject({ status: 'active', external_id: before.external_id });
    expect(new Date(after.expires_at!).getTime()).toBe(test.fakes.clock.now() + 5 * MINUTE);

    await createItem(integrationId, 'After renewal');
    await eventually(() => titlesOf(after.id), (titles) => titles.includes('item.created:After renewal'), 'the event after renewal');
  });

  it('an expired subscription hears nothing; the scheduler creates it again and events flow', async () => {
    const before = await sandboxSubscription(integrationId);
    test.fakes.clock.advance(6 * MINUTE);
    await createItem(integrationId, 'While expired');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await titlesOf(before.id)).not.toContain('item.created:While expired');

    const again = await runUntilActive(integrationId);
    expect(again.external_id).not.toBe(before.external_id);
    await createItem(integrationId, 'Created again');
    await eventually(() => titlesOf(again.id), (titles) => titles.includes('item.created:Created again'), 'the event after re-creation');
  });

  it('creates it again when the sandbox no longer has it at renewal (404)', async () => {
    const before = await sandboxSubscription(integrationId);
    const { accessToken } = await storedTokens(test, integrationId);
    const removed = await fetch(`${test.service.url}/sandbox/api/subscriptions/${before.external_id}`, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` } });
    expect(removed.status).toBe(204);

    test.fakes.clock.advance(4 * MINUTE + 10_000);
    const again = await runUntilActive(integrationId);
    expect(again.external_id).not.toBe(before.external_id);
    await createItem(integrationId, 'After 404');
    await eventually(() => titlesOf(again.id), (titles) => titles.includes('item.created:After 404'), 'the event after the 404');
  });

  it('stops it at the sandbox when disconnecting', async () => {
    const disconnected = await graphql(test.service.url, test.token, 'mutation D($id: ID!) { disconnectIntegration(id: $id) { id status } }', { id: integrationId });
    expect(disconnected.errors).toBeUndefined();
    // Stopped at the provider: a failed DELETE would leave its reason in last_error.
    expect(await sandboxSubscription(integrationId)).toMatchObject({ status: 'stopped', last_error: null });
    const [endpoints] = await test.service.app.database.asSystem((em) => em.execute<{ n: string }[]>(`select count(*) as n from webhook_endpoints where integration_id = ?`, [integrationId]));
    expect(Number(endpoints!.n)).toBe(0);
  });
});
