import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually } from '../webhooks/support/recorder.js';
import { graphql, insertConnectedIntegration, subscribe, tokenFor, useSubscriptionTest } from './support/subscription-harness.js';

/**
 * What clients and operators see of provider subscriptions: live changes over graphql-ws
 * (filtered by integration and organization), federation entity references, a FAILED
 * subscription in `testIntegration`'s health, and the `/metrics` figures.
 */
const test = useSubscriptionTest();
let integrationId: string;
let otherIntegrationId: string;
const clients: Client[] = [];

beforeAll(async () => {
  integrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'microsoft');
  otherIntegrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'google');
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
});

function connect(bearer: string): Client {
  const client = createClient({ url: test.service.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

type Change = { providerSubscriptionChanged: { id: string; resource: string; status: string; integration: { id: string } } };

describe('providerSubscriptionChanged', () => {
  it('streams every status change of one integration’s subscriptions, and nothing of others', async () => {
    const client = connect(test.token);
    const changes = client.iterate<Change>({
      query: 'subscription C($integrationId: ID) { providerSubscriptionChanged(integrationId: $integrationId) { id resource status integration { id } } }',
      variables: { integrationId },
    });
    const stranger = connect(await tokenFor(test.service.app, randomUUID()));
    const strangers = stranger.iterate<Change>({ query: 'subscription { providerSubscriptionChanged { id } }' });
    const strangerFirst = strangers.next();
    // Both subscriptions are live on the server before anything is published.
    await eventually(async () => ((await test.service.app.metrics.graphqlSubscriptionsActive.get()).values[0]?.value ?? 0) >= 2, 10_000, 'both subscriptions to start');

    await subscribe(test.service.url, test.token, otherIntegrationId, 'calendar/primary'); // another integration: filtered out
    const { id } = await subscribe(test.service.url, test.token, integrationId, '/me/events');
    const pending = await changes.next();
    expect(pending.value?.data?.providerSubscriptionChanged).toEqual({ id, resource: '/me/events', status: 'PENDING', integration: { id: integrationId } });
    await test.service.app.subscriptions.scheduler.runDue();
    let next = await changes.next();
    while (next.value?.data?.providerSubscriptionChanged.id !== id || next.value.data.providerSubscriptionChanged.status === 'PENDING') next = await changes.next();
    expect(next.value!.data!.providerSubscriptionChanged).toMatchObject({ id, status: 'ACTIVE' });
    await changes.return?.();

    const nothing = await Promise.race([strangerFirst.then(() => 'received'), new Promise((resolve) => setTimeout(() => resolve('nothing'), 300))]);
    expect(nothing).toBe('nothing');
    await strangers.return?.();
  });
});

describe('federation', () => {
  it('resolves ProviderSubscription entity references in the caller’s organization only', async () => {
    const { id } = await subscribe(test.service.url, test.token, integrationId, '/me/messages');
    const query = 'query E($representations: [_Any!]!) { _entities(representations: $representations) { ... on ProviderSubscription { id resource integration { id } } } }';
    const variables = { representations: [{ __typename: 'ProviderSubscription', id }] };
    const mine = await graphql<{ _entities: unknown[] }>(test.service.url, test.token, query, variables);
    expect(mine.data!._entities).toEqual([{ id, resource: '/me/messages', integration: { id: integrationId } }]);
    const theirs = await graphql<{ _entities: unknown[] }>(test.service.url, await tokenFor(test.service.app, randomUUID()), query, variables);
    expect(theirs.data!._entities).toEqual([null]);
  });
});

describe('operations', () => {
  it('testIntegration reports a FAILED subscription as unhealthy without touching the credentials’ status', async () => {
    const asana = await insertConnectedIntegration(test.service.app, test.organizationId, 'asana');
    await subscribe(test.service.url, test.token, asana, '9999999999'); // a gid Asana does not know: refused
    await test.service.app.subscriptions.scheduler.runDue();
    const result = await graphql<{ testIntegration: { healthy: boolean; error: string | null; integration: { status: string } } }>(
      test.service.url,
      test.token,
      'mutation T($id: ID!) { testIntegration(id: $id) { healthy error integration { status } } }',
      { id: asana },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.testIntegration).toMatchObject({ healthy: false, integration: { status: 'CONNECTED' } });
    expect(result.data!.testIntegration.error).toMatch(/subscription to 9999999999 is failing: Asana refused the webhook/);
  });

  it('/metrics shows subscriptions by provider and status, actions, and the soonest expiry', async () => {
    const text = await (await fetch(`${test.service.url}/metrics`)).text();
    expect(text).toMatch(/provider_subscriptions\{provider="microsoft",status="active"\} [1-9]/);
    expect(text).toMatch(/provider_subscriptions\{provider="asana",status="failed"\} 1/);
    expect(text).toMatch(/provider_subscription_actions_total\{provider="microsoft",action="create",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/provider_subscription_actions_total\{provider="asana",action="create",outcome="failed"\} [1-9]/);
    expect(text).toMatch(/provider_subscription_soonest_expiry_seconds\{provider="microsoft"\} -?\d+/);
  });
});
