import { beforeAll, describe, expect, it } from '@jest/globals';
import { ProviderBreakerRegistry } from '../../src/resilience/provider-breakers.js';
import { MINUTE, SECOND } from '../support/fake-clock.js';
import { graphql, insertConnectedIntegration, recordSubscriptionChanges, settle, storedSubscription, subscribe, useSubscriptionTest } from './support/subscription-harness.js';

/**
 * A provider that keeps failing for a while (5xx, refused connections): the scheduler tries
 * again later each time, keeps showing what the subscription was until it has failed for
 * SUBSCRIPTION_FAIL_AFTER_MINUTES, then shows FAILED with a lastError, publishes it and counts it
 * in /metrics. Time is the fake clock the app shares with the Graph fake.
 */
const FAIL_AFTER_MINUTES = 30;
/** Its circuit opens on real time, which the fake clock's half hour of failures does not move: each failing test closes it again after itself. */
const breakers = new ProviderBreakerRegistry();
const test = useSubscriptionTest({ env: () => ({ SUBSCRIPTION_FAIL_AFTER_MINUTES: String(FAIL_AFTER_MINUTES) }), overrides: () => ({ subscriptions: { breakers } }) });
let integrationId: string;

beforeAll(async () => {
  integrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'microsoft');
});

/** unsubscribeFromResource through GraphQL: the status it answers. */
async function unsubscribe(id: string): Promise<string> {
  const result = await graphql<{ unsubscribeFromResource: { status: string } }>(test.service.url, test.token, 'mutation U($id: ID!) { unsubscribeFromResource(id: $id) { status } }', { id });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.unsubscribeFromResource.status;
}

const at = (value: unknown): number => new Date(value as string).getTime();

/** The value of one sample of /metrics (0 when absent), e.g. `provider_subscription_actions_total{provider="microsoft",action="renew",outcome="ok"}`. */
async function metric(sample: string): Promise<number> {
  const text = await (await fetch(`${test.service.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

interface Attempts {
  /** Each wait the scheduler chose before its next attempt, in order. */
  waits: number[];
  /** Status after each attempt. */
  statuses: string[];
}

/**
 * Drives the failing subscription attempt by attempt until it shows FAILED: one second before its
 * retry time nothing is due, at that time exactly one attempt runs.
 */
async function attemptUntilFailed(id: string): Promise<Attempts> {
  const attempts: Attempts = { waits: [], statuses: [] };
  for (let attempt = 0; attempt < 20; attempt++) {
    const row = await storedSubscription(test.service.app, id);
    if (row.status === 'failed') return attempts;
    const due = at(row.renew_at);
    if (due - SECOND > test.fakes.clock.now()) {
      test.fakes.clock.set(due - SECOND);
      await test.runDue();
      expect((await storedSubscription(test.service.app, id)).attempts).toBe(row.attempts);
    }
    test.fakes.clock.set(Math.max(due, test.fakes.clock.now()));
    await test.runDue();
    const after = await storedSubscription(test.service.app, id);
    expect(after.attempts).toBe((row.attempts as number) + 1);
    attempts.waits.push(at(after.renew_at) - test.fakes.clock.now());
    attempts.statuses.push(after.status as string);
  }
  throw new Error('the subscription never showed FAILED');
}

/** The waits grow (exponential backoff with ±20 % jitter doubles each time until the cap), and FAILED comes only after FAIL_AFTER_MINUTES of failing. */
function expectBackoffThenFailed(attempts: Attempts, failingSince: number, failedAt: number, statusBefore: string): void {
  expect(attempts.waits.length).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < attempts.waits.length; i++) expect(attempts.waits[i]!).toBeGreaterThan(attempts.waits[i - 1]!);
  expect(attempts.waits[0]!).toBeGreaterThanOrEqual(20 * SECOND);
  expect(attempts.statuses.slice(0, -1).every((status) => status === statusBefore)).toBe(true);
  expect(attempts.statuses.at(-1)).toBe('failed');
  expect(failedAt - failingSince).toBeGreaterThanOrEqual(FAIL_AFTER_MINUTES * MINUTE);
  // Not much later either: the attempt before it came while it had failed for less than the bound.
  expect(failedAt - failingSince - attempts.waits.at(-2)!).toBeLessThan(FAIL_AFTER_MINUTES * MINUTE);
}

describe('a renewal', () => {
  let id: string;

  it('is counted in /metrics', async () => {
    ({ id } = await subscribe(test.service.url, test.token, integrationId, "/me/mailFolders('Inbox')/messages"));
    expect(await test.runDue()).toBe(1);
    const created = await storedSubscription(test.service.app, id);
    expect(created.status).toBe('active');
    const sample = 'provider_subscription_actions_total{provider="microsoft",action="renew",outcome="ok"}';
    const before = await metric(sample);
    test.fakes.clock.set(at(created.renew_at));
    expect(await test.runDue()).toBe(1);
    expect(test.fakes.microsoft.server.count('PATCH', `/v1.0/subscriptions/${created.external_id as string}`)).toBe(1);
    expect(await metric(sample)).toBe(before + 1);
  });

  it('STOPPED is published once it is unsubscribed', async () => {
    const changes = recordSubscriptionChanges(test.service.app, test.organizationId);
    expect(await unsubscribe(id)).toBe('STOPPED');
    await settle();
    // STOPPED at once, and again once Graph has deleted it (with lastError had that failed).
    expect(changes.messages.length).toBeGreaterThanOrEqual(1);
    expect(changes.messages.map((message) => [message.id, message.status]).every(([of, status]) => of === id && status === 'stopped')).toBe(true);
    expect(changes.messages.at(-1)!.lastError).toBeNull();
    expect(test.fakes.microsoft.server.count('DELETE', `/v1.0/subscriptions/${(await storedSubscription(test.service.app, id)).external_id as string}`)).toBe(1);
    changes.stop();
  });
});

describe('a creation that keeps failing (Graph answers 503)', () => {
  it('backs off and shows FAILED with a lastError after the bounded time', async () => {
    const { id } = await subscribe(test.service.url, test.token, integrationId, '/me/messages');
    test.fakes.microsoft.server.fail('POST', '/v1.0/subscriptions', { status: 503 }, 1000);
    const failingSince = test.fakes.clock.now();
    let attempts: Attempts;
    let first: Record<string, unknown>;
    try {
      expect(await test.runDue()).toBe(1);
      first = await storedSubscription(test.service.app, id);
      expect(first).toMatchObject({ status: 'pending', next_action: 'create', attempts: 1 });
      attempts = await attemptUntilFailed(id);
    } finally {
      test.fakes.microsoft.server.reset(); // the 503s left over
      breakers.reset();
    }
    attempts.waits.unshift(at(first.renew_at) - failingSince);
    attempts.statuses.unshift('pending');
    expectBackoffThenFailed(attempts, failingSince, test.fakes.clock.now(), 'pending');

    const failed = await storedSubscription(test.service.app, id);
    expect(failed.last_error).toMatch(/503|unavailable|Microsoft/i);
  });
});

describe('a renewal that keeps failing (Graph refuses connections)', () => {
  it('backs off, shows FAILED with a lastError after the bounded time, publishes it and counts it', async () => {
    const { id } = await subscribe(test.service.url, test.token, integrationId, '/me/events');
    expect(await test.runDue()).toBe(1);
    const created = await storedSubscription(test.service.app, id);
    expect(created.status).toBe('active');
    const failedRowsBefore = await metric('provider_subscriptions{provider="microsoft",status="failed"}');
    const failedBefore = await metric('provider_subscription_actions_total{provider="microsoft",action="renew",outcome="failed"}');

    test.fakes.clock.set(at(created.renew_at));
    await test.fakes.microsoft.server.refuseConnections();
    const changes = recordSubscriptionChanges(test.service.app, test.organizationId);
    let attempts: Attempts;
    try {
      const failingSince = test.fakes.clock.now();
      await test.runDue(); // the FAILED subscription of the test above is due as well
      const first = await storedSubscription(test.service.app, id);
      expect(first).toMatchObject({ status: 'active', next_action: 'renew', attempts: 1 });
      expect(first.last_error).not.toBeNull();
      attempts = await attemptUntilFailed(id);
      attempts.waits.unshift(at(first.renew_at) - failingSince);
      attempts.statuses.unshift('active');
      expectBackoffThenFailed(attempts, failingSince, test.fakes.clock.now(), 'active');
    } finally {
      await test.fakes.microsoft.server.acceptConnections();
      breakers.reset();
    }

    const failed = await storedSubscription(test.service.app, id);
    expect(failed).toMatchObject({ status: 'failed', next_action: 'renew', external_id: created.external_id });
    expect(failed.last_error).toMatch(/\S/);
    await settle();
    const published = changes.messages.filter((message) => message.id === id);
    expect(published.at(-1)).toMatchObject({ status: 'failed', lastError: failed.last_error });
    expect(published.filter((message) => message.status === 'failed')).toHaveLength(1);
    changes.stop();
    expect(await metric('provider_subscription_actions_total{provider="microsoft",action="renew",outcome="failed"}')).toBe(failedBefore + attempts.waits.length);
    expect(await metric('provider_subscriptions{provider="microsoft",status="failed"}')).toBe(failedRowsBefore + 1);
  });
});
