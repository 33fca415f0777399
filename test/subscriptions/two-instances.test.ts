import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { MINUTE } from '../support/fake-clock.js';
import { killHard, startTsChild } from '../webhooks/support/child-process.js';
import { eventually } from '../webhooks/support/recorder.js';
import {
  ENCRYPTION_KEY,
  insertConnectedIntegration,
  startProviderFakes,
  startSubscriptionApp,
  storedSubscription,
  subscribe,
  TEST_JWT_SECRET,
  tokenFor,
  type ProviderFakes,
  type SubscriptionApp,
} from './support/subscription-harness.js';

/**
 * Several instances on one database: every subscription is created and renewed once, whichever
 * instance claims it; and an instance killed in the middle of a renewal leaves a lease that
 * expires, after which another instance finishes the renewal, once, with nothing left behind
 * at the provider.
 */
let fakes: ProviderFakes;

beforeAll(async () => {
  fakes = await startProviderFakes();
});

afterAll(async () => {
  await fakes?.close();
});

describe('two instances on one database', () => {
  const SUBSCRIPTIONS = 24;
  let db: TestDatabase;
  let first: SubscriptionApp;
  let second: SubscriptionApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    first = await startSubscriptionApp(db.url, fakes);
    second = await startSubscriptionApp(db.url, fakes);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await db?.close();
  });

  it('create and renew each subscription exactly once', async () => {
    const organizationId = randomUUID();
    const integrationId = await insertConnectedIntegration(first.app, organizationId, 'microsoft');
    const token = await tokenFor(first.app, organizationId);
    const ids: string[] = [];
    for (let n = 0; n < SUBSCRIPTIONS; n++) ids.push((await subscribe(first.url, token, integrationId, `/me/mailFolders('folder-${n}')/messages`)).id);
    // Slow answers keep both instances' claims in flight at once.
    fakes.microsoft.server.latencyMs = 20;
    const creates = () => fakes.microsoft.server.requests.filter((request) => request.method === 'POST' && request.path === '/v1.0/subscriptions').length;

    const [byFirst, bySecond] = await Promise.all([first.app.subscriptions.scheduler.runDue(), second.app.subscriptions.scheduler.runDue()]);
    expect(byFirst + bySecond).toBe(SUBSCRIPTIONS);
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
    expect(creates()).toBe(SUBSCRIPTIONS);

    const rows = await Promise.all(ids.map((id) => storedSubscription(first.app, id)));
    expect(rows.every((row) => row.status === 'active')).toBe(true);
    fakes.clock.set(Math.max(...rows.map((row) => new Date(row.renew_at as string).getTime())) + MINUTE);
    const [renewedByFirst, renewedBySecond] = await Promise.all([first.app.subscriptions.scheduler.runDue(), second.app.subscriptions.scheduler.runDue()]);
    expect(renewedByFirst + renewedBySecond).toBe(SUBSCRIPTIONS);
    const patches = new Map<string, number>();
    for (const request of fakes.microsoft.server.requests) {
      if (request.method === 'PATCH') patches.set(request.path, (patches.get(request.path) ?? 0) + 1);
    }
    expect(patches.size).toBe(SUBSCRIPTIONS);
    expect([...patches.values()].every((count) => count === 1)).toBe(true);
    fakes.microsoft.server.latencyMs = 0;
    expect(fakes.microsoft.server.violations).toEqual([]);
  });
});

describe('an instance killed with SIGKILL in the middle of a Google renewal', () => {
  let db: TestDatabase;
  let survivor: SubscriptionApp;
  let child: ChildProcess | undefined;
  const LEASE_SECONDS = 2;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Real time here: the killed process's lease expires on the clock both instances share.
    survivor = await startSubscriptionApp(db.url, fakes, { SUBSCRIPTION_LEASE_SECONDS: String(LEASE_SECONDS) }, { subscriptions: { clock: Date.now } });
  });
  afterAll(async () => {
    if (child) await killHard(child);
    await survivor?.close();
    await db?.close();
  });

  it('leaves a lease another instance takes over after it expires, completing the renewal once with one live channel', async () => {
    const organizationId = randomUUID();
    const integrationId = await insertConnectedIntegration(survivor.app, organizationId, 'google');
    const { id } = await subscribe(survivor.url, await tokenFor(survivor.app, organizationId), integrationId, 'calendar/primary');
    await survivor.app.subscriptions.scheduler.runDue();
    const created = await storedSubscription(survivor.app, id);
    const original = created.external_id as string;
    expect(fakes.google.channels.isLive(original)).toBe(true);

    // Due now, and Google slow to answer: the child's watch call reaches Google (which opens the
    // channel) but the child dies before the answer arrives.
    await survivor.app.database.asSystem((em) => em.execute(`update provider_subscriptions set renew_at = now() where id = ?`, [id]));
    const watchPath = '/calendar/v3/calendars/primary/events/watch';
    const watchesBefore = fakes.google.server.count('POST', watchPath);
    fakes.google.server.latencyMs = 5000;
    child = await startTsChild('test/subscriptions/support/scheduler-process.ts', [
      JSON.stringify({
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        PUBLIC_URL: survivor.app.config.publicUrl,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        INTEGRATION_ENCRYPTION_KEY: ENCRYPTION_KEY,
        SUBSCRIPTION_LEASE_SECONDS: String(LEASE_SECONDS),
        SUBSCRIPTION_POLL_INTERVAL_MS: '100',
        LOG_LEVEL: 'silent',
        ...fakes.env,
      }),
    ]);
    await eventually(async () => fakes.google.server.count('POST', watchPath) > watchesBefore, 20_000, 'the child to send the watch request');
    await killHard(child);
    fakes.google.server.latencyMs = 0;
    const orphan = [...fakes.google.channels.channels.values()].find((channel) => channel.id !== original && fakes.google.channels.isLive(channel.id));
    expect(orphan).toBeDefined(); // Google opened the channel the dead instance asked for
    const pending = await storedSubscription(survivor.app, id);
    expect(pending.lease_owner).not.toBeNull();
    expect((pending.state as { pending?: string }).pending).toBe(orphan!.id);

    // Not before the lease expires: the dead instance might still be working.
    expect(await survivor.app.subscriptions.scheduler.runDue()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 1000 + 200));
    expect(await survivor.app.subscriptions.scheduler.runDue()).toBe(1);

    const renewed = await storedSubscription(survivor.app, id);
    expect(renewed).toMatchObject({ status: 'active', lease_owner: null });
    const live = [...fakes.google.channels.channels.values()].filter((channel) => fakes.google.channels.isLive(channel.id));
    expect(live.map((channel) => channel.id)).toEqual([renewed.external_id]);
    expect(renewed.external_id).not.toBe(original);
    expect(renewed.external_id).not.toBe(orphan!.id);
    // The survivor opened one channel and stopped the two others (the original, and the dead instance's).
    expect(fakes.google.server.count('POST', watchPath)).toBe(watchesBefore + 2);
    const stops = fakes.google.server.requests.filter((request) => request.path === '/calendar/v3/channels/stop' && request.status === 204);
    expect(stops.map((request) => (request.json() as { id: string }).id).sort()).toEqual([original, orphan!.id].sort());
    expect(fakes.google.server.violations).toEqual([]);
  }, 60_000);
});
