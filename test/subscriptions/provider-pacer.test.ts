import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProviderPacer } from '../../src/subscriptions/provider-pacer.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../webhooks/support/recorder.js';

/**
 * The shared pace, on its own clock: it doubles each busy second until the provider refuses,
 * then settles under what the provider accepted, and a long Retry-After pauses it. Two pacers
 * (two instances) share one row. Time is the pacer's injected clock; the only real waits are
 * its short retries for permits.
 */
let db: TestDatabase;
let now = 0;
const pacers: ProviderPacer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const pacer of pacers) pacer.close();
  await db.close();
});

const pacer = () => {
  const created = new ProviderPacer({ database: db.database, initialRate: 10, now: () => now });
  pacers.push(created);
  return created;
};

const row = async (provider: string) =>
  (await db.database.asSystem((em) => em.execute<{ rate: number; probing: boolean; paused_until: string | null }[]>(`select rate, probing, paused_until from provider_rate_limits where provider = ?`, [provider])))[0]!;

/**
 * Asks for two permits when one is available: the pace is the bottleneck this second. Once the
 * shared row says so, the clock moves on by `advanceMs` and the second permit is granted.
 */
async function takeTwo(pacerOf: ProviderPacer, provider: string, advanceMs: number): Promise<void> {
  const first = pacerOf.take(provider);
  const second = pacerOf.take(provider);
  await first;
  await eventually(
    async () => (await db.database.asSystem((em) => em.execute<{ window_starved: boolean }[]>(`select window_starved from provider_rate_limits where provider = ?`, [provider])))[0]?.window_starved === true,
    10_000,
    'the pace to be the bottleneck',
  );
  now += advanceMs;
  await second;
}

describe('ProviderPacer', () => {
  it('doubles the pace each second it was the bottleneck, until the provider refuses', async () => {
    now = 0;
    const first = pacer();
    await takeTwo(first, 'probe', 1100); // a fresh bucket holds one permit: the pace was the bottleneck; a second later it doubled
    expect(await row('probe')).toMatchObject({ rate: 20, probing: true });
  });

  it('settles just under what the provider accepted in a second with 429s, shared by every instance', async () => {
    now = 10_000;
    const one = pacer();
    const other = pacer();
    await takeTwo(other, 'shared', 1100); // probing: 20/s
    for (let n = 0; n < 8; n++) one.report('shared', { limited: false });
    for (let n = 0; n < 3; n++) other.report('shared', { limited: false });
    other.report('shared', { limited: true, retryAfterMs: 1000 });
    now += 100;
    await other.take('shared'); // the other instance's report arrives with its next request
    now = 12_300;
    await one.take('shared');
    // 11 accepted in the 1.2 s window: 9.2/s accepted, the pace 97 % of that; probing is over.
    const settled = await row('shared');
    expect(settled.probing).toBe(false);
    expect(settled.rate).toBeCloseTo((11 / 1.2) * 0.97, 1);
    // A one-second Retry-After is the end of a rate window: no pause for everyone.
    expect(settled.paused_until).toBeNull();
  });

  it('pauses every instance for a long Retry-After', async () => {
    now = 20_000;
    const one = pacer();
    await one.take('throttled');
    one.report('throttled', { limited: true, retryAfterMs: 30_000 });
    const waiting = one.take('throttled');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new Date((await row('throttled')).paused_until!).getTime()).toBe(50_000);
    now = 50_001;
    // Wakes up in 30 s of real time at the latest; the clock has moved, so the next try is granted.
    one.close(); // closing lets waiting requests go rather than stall a shutdown
    await waiting;
  });
});
