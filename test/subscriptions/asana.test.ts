import { beforeAll, describe, expect, it } from '@jest/globals';
import { HOUR, MINUTE } from '../support/fake-clock.js';
import { graphql, insertConnectedIntegration, recordSubscriptionChanges, settle, storedSubscription, subscribe, useSubscriptionTest } from './support/subscription-harness.js';

/**
 * Asana webhooks end to end against the Asana fake: the X-Hook-Secret handshake happens while
 * the create call is open, webhooks do not expire, and Asana deletes webhooks on its own, which
 * the periodic check (`GET /webhooks?workspace=…&resource=…`) finds and repairs.
 */
const PROJECT = '1200000000000200';
const WORKSPACE = '1200000000000010';

const test = useSubscriptionTest();
let integrationId: string;

beforeAll(async () => {
  integrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'asana');
});

describe('an Asana webhook', () => {
  let id: string;
  let gid: string;

  it('is created once the handshake, answered while the create call was open, succeeded', async () => {
    id = (await subscribe(test.service.url, test.token, integrationId, PROJECT)).id;
    expect(await test.runDue()).toBe(1);
    const row = await storedSubscription(test.service.app, id);
    expect(row).toMatchObject({ status: 'active', next_action: 'check', expires_at: null });
    gid = row.external_id as string;
    const webhook = test.fakes.asana.webhooks.webhooks.get(gid)!;
    expect(webhook.target).toBe(`${test.service.url}/webhooks/asana/${(row.state as { hook: string }).hook}`);

    const create = test.fakes.log.first({ provider: 'asana', direction: 'in', method: 'POST', path: '/api/1.0/webhooks' });
    const handshake = test.fakes.log.filter({ provider: 'asana', direction: 'out' }).find((entry) => entry.headers['x-hook-secret'])!;
    expect(handshake.status).toBe(200);
    expect(handshake.seq).toBeGreaterThan(create.seq);
    expect(handshake.answeredSeq!).toBeLessThan(create.answeredSeq!);
    expect(create.status).toBe(201);
    expect(test.fakes.asana.server.violations).toEqual([]);
  });

  it('stores its signed events, and acknowledges heartbeats without storing them', async () => {
    const [delivery] = await test.fakes.asana.webhooks.change(PROJECT);
    expect(delivery!.status).toBe(200);
    const [heartbeat] = await test.fakes.asana.webhooks.heartbeat(gid);
    expect(heartbeat!.status).toBe(200);
    expect((await test.eventsOf(id)).length).toBeGreaterThanOrEqual(1);
    expect((await storedSubscription(test.service.app, id)).last_notification_at).not.toBeNull();
  });

  it('is checked periodically at Asana, finding its workspace once', async () => {
    const before = await storedSubscription(test.service.app, id);
    test.fakes.clock.set(new Date(before.renew_at as string).getTime() + MINUTE);
    expect(await test.runDue()).toBe(1);
    const listing = test.fakes.log.filter({ provider: 'asana', direction: 'in', method: 'GET', path: '/api/1.0/webhooks' }).at(-1)!;
    expect(listing.query).toMatchObject({ workspace: WORKSPACE, resource: PROJECT });
    const after = await storedSubscription(test.service.app, id);
    expect(after).toMatchObject({ status: 'active', external_id: gid, state: expect.objectContaining({ workspaceGid: WORKSPACE }) });

    const workspaceLookups = test.fakes.asana.server.count('GET', '/api/1.0/workspaces');
    test.fakes.clock.set(new Date(after.renew_at as string).getTime() + MINUTE);
    await test.runDue();
    expect(test.fakes.asana.server.count('GET', '/api/1.0/workspaces')).toBe(workspaceLookups);
  });

  it('is created again when Asana deleted it on its own', async () => {
    const changes = recordSubscriptionChanges(test.service.app, test.organizationId);
    test.fakes.asana.webhooks.deleteOnCommand(gid);
    const before = await storedSubscription(test.service.app, id);
    test.fakes.clock.set(new Date(before.renew_at as string).getTime() + MINUTE);
    expect(await test.runDue()).toBe(2); // the check finds it gone, then it is created again
    const after = await storedSubscription(test.service.app, id);
    expect(after.status).toBe('active');
    expect(after.external_id).not.toBe(gid);
    expect(test.fakes.asana.webhooks.webhooks.has(after.external_id as string)).toBe(true);
    await settle();
    expect(changes.messages.map((message) => message.status)).toEqual(['expired', 'active']);
    changes.stop();

    // The old hook no longer routes; the new one does.
    const [delivery] = await test.fakes.asana.webhooks.change(PROJECT);
    expect(delivery!.status).toBe(200);
    gid = after.external_id as string;
  });

  it('is deleted at Asana on unsubscribe', async () => {
    const result = await graphql<{ unsubscribeFromResource: { status: string } }>(test.service.url, test.token, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { status } }', { id });
    expect(result.data!.unsubscribeFromResource.status).toBe('STOPPED');
    expect(test.fakes.asana.server.count('DELETE', `/api/1.0/webhooks/${gid}`)).toBe(1);
    expect(test.fakes.asana.webhooks.webhooks.has(gid)).toBe(false);

    // A delivery still in flight for the stopped hook: refused, logged, never stored.
    const stored = (await test.eventsOf(id)).length;
    const hook = ((await storedSubscription(test.service.app, id)).state as { hook: string }).hook;
    const late = await fetch(`${test.service.url}/webhooks/asana/${hook}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hook-signature': 'a'.repeat(64) },
      body: JSON.stringify({ events: [{ action: 'changed', resource: { gid: '1', resource_type: 'task' } }] }),
    });
    expect(late.status).toBe(404);
    expect(await test.eventsOf(id)).toHaveLength(stored);
    expect(test.service.logs.some((line) => line.includes('webhook rejected') && line.includes('unknown Asana hook'))).toBe(true);
  });

  it('is FAILED with Asana’s own words when Asana refuses the resource', async () => {
    const { id: unknown } = await subscribe(test.service.url, test.token, integrationId, '9999999999');
    await test.runDue();
    const row = await storedSubscription(test.service.app, unknown);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/Asana refused the webhook: resource: Not a recognized ID: 9999999999/);
    expect(new Date(row.renew_at as string).getTime()).toBeGreaterThan(test.fakes.clock.now() + HOUR - MINUTE);
  });
});
