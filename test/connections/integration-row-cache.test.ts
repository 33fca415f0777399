import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { IntegrationRowCache } from '../../src/connections/integration-row-cache.js';
import type { TokenRow } from '../../src/connections/token-row.js';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';

/**
 * The cache's rules on its own, with in-process pub/sub (always live until closed) and a clock the
 * test moves: what is stored, served, shared and forgotten. `load` stands for the database read.
 * The application-level behaviour (statements, Redis, other instances) is in
 * test/proxy/integration-row-cache.test.ts.
 */
const ORG_A = randomUUID();
const ORG_B = randomUUID();

function rowOf(organizationId: string, changes: Partial<TokenRow> = {}): TokenRow {
  return {
    id: randomUUID(),
    organization_id: organizationId,
    provider_id: 'google',
    provider_name: 'Google',
    status: 'connected',
    needs_reauthorization: false,
    access_token: 'k1.sealed-access-token',
    refresh_token: 'k1.sealed-refresh-token',
    token_expires_at: null,
    connection_params: {},
    ...changes,
  };
}

function setUp(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000;
  const pubsub = new InMemoryPubSub();
  const cache = new IntegrationRowCache(pubsub, { ...options, now: () => now });
  let loads = 0;
  /** Reads `row` (a copy, as the database hands out a new object each time), counting reads. */
  const read = (row: TokenRow | undefined, organizationId = row?.organization_id ?? ORG_A, integrationId = row?.id ?? randomUUID()) =>
    cache.read(organizationId, integrationId, async () => {
      loads += 1;
      return row && { ...row };
    });
  return { pubsub, cache, read, loads: () => loads, advance: (ms: number) => void (now += ms) };
}

/** In-process pub/sub delivers on a microtask, like a message arriving. */
const delivered = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('IntegrationRowCache', () => {
  it('serves a CONNECTED row read once, to its organization only', async () => {
    const { read, loads } = setUp();
    const row = rowOf(ORG_A);
    expect(await read(row)).toEqual(row);
    expect(await read(row)).toEqual(row);
    expect(loads()).toBe(1);
    // The same id under another organization is another read (row-level security answers it).
    expect(await read(undefined, ORG_B, row.id)).toBeUndefined();
    expect(loads()).toBe(2);
  });

  it('never keeps a miss, or a row that is not CONNECTED, needs reauthorization or has no token', async () => {
    const { read, loads, cache } = setUp();
    const id = randomUUID();
    await read(undefined, ORG_A, id);
    await read(undefined, ORG_A, id);
    expect(loads()).toBe(2);
    for (const changes of [{ status: 'disconnected' }, { status: 'error' }, { needs_reauthorization: true }, { access_token: null }]) {
      const row = rowOf(ORG_A, changes);
      await read(row);
      await read(row);
    }
    expect(loads()).toBe(10);
    expect(cache.size).toBe(0);
  });

  it('reads again after the time to live', async () => {
    const { read, loads, advance } = setUp({ ttlMs: 1_000 });
    const row = rowOf(ORG_A);
    await read(row);
    advance(999);
    await read(row);
    expect(loads()).toBe(1);
    advance(1);
    await read(row);
    expect(loads()).toBe(2);
    await read(row);
    expect(loads()).toBe(2);
  });

  it('keeps at most maxEntries rows, dropping the oldest stored first', async () => {
    const { read, loads, cache } = setUp({ maxEntries: 2 });
    const rows = [rowOf(ORG_A), rowOf(ORG_A), rowOf(ORG_B)];
    for (const row of rows) await read(row);
    expect(cache.size).toBe(2);
    expect(loads()).toBe(3);
    await read(rows[1]);
    await read(rows[2]);
    expect(loads()).toBe(3);
    await read(rows[0]);
    expect(loads()).toBe(4);
    expect(cache.size).toBe(2);
    // Cycling through many ids never grows it past the bound.
    for (let i = 0; i < 50; i += 1) await read(rowOf(ORG_A));
    expect(cache.size).toBe(2);
  });

  it('forgets an organization’s rows when a change of it is announced, and no other organization’s', async () => {
    const { read, loads, pubsub } = setUp();
    const [a, b] = [rowOf(ORG_A), rowOf(ORG_B)];
    await read(a);
    await read(b);
    await pubsub.publish('organizationDataChanged', { organizationId: ORG_A });
    await delivered();
    await read(a);
    await read(b);
    expect(loads()).toBe(3);
  });

  it('neither stores nor shares a read during which a change of its organization was announced', async () => {
    const { cache, pubsub } = setUp();
    const row = rowOf(ORG_A);
    let loads = 0;
    let finish!: (row: TokenRow) => void;
    const slowLoad = () => {
      loads += 1;
      return new Promise<TokenRow>((resolve) => (finish = resolve));
    };
    const first = cache.read(ORG_A, row.id, slowLoad);
    // A second caller while the read runs shares it...
    const joined = cache.read(ORG_A, row.id, slowLoad);
    expect(loads).toBe(1);
    await pubsub.publish('organizationDataChanged', { organizationId: ORG_A });
    await delivered();
    // ...but not one arriving after the announcement: the read may predate the change.
    const afterChange = cache.read(ORG_A, row.id, async () => ({ ...row, status: 'disconnected' }));
    finish({ ...row });
    expect((await first)?.status).toBe('connected');
    expect((await joined)?.status).toBe('connected');
    expect((await afterChange)?.status).toBe('disconnected');
    // Neither answer was kept.
    expect(cache.size).toBe(0);
  });

  it('forgets a row this process changed at once, and stores no read begun before', async () => {
    const { cache, read, loads } = setUp();
    const row = rowOf(ORG_A);
    await read(row);
    cache.forget(ORG_A, row.id);
    await read(row);
    expect(loads()).toBe(2);
    let finish!: (row: TokenRow) => void;
    cache.forget(ORG_A, row.id);
    const running = cache.read(ORG_A, row.id, () => new Promise<TokenRow>((resolve) => (finish = resolve)));
    cache.forget(ORG_A, row.id); // e.g. a refresh committed while the read ran
    finish({ ...row });
    await running;
    expect(cache.size).toBe(0);
  });

  it('shares rows frozen: no caller can change them for the others', async () => {
    const { read } = setUp();
    const row = await read(rowOf(ORG_A, { connection_params: { tenant: 't-1' } }));
    expect(Object.isFrozen(row)).toBe(true);
    expect(Object.isFrozen(row!.connection_params)).toBe(true);
  });

  it('goes to the database every time once pub/sub is down, or the cache closed', async () => {
    const closedPubSub = setUp();
    const row = rowOf(ORG_A);
    await closedPubSub.read(row);
    await closedPubSub.pubsub.close(); // the watch is no longer live
    await closedPubSub.read(row);
    await closedPubSub.read(row);
    expect(closedPubSub.loads()).toBe(3);

    const closedCache = setUp();
    await closedCache.read(row);
    closedCache.cache.close();
    expect(closedCache.cache.size).toBe(0);
    await closedCache.read(row);
    await closedCache.read(row);
    expect(closedCache.loads()).toBe(3);
    expect(closedCache.cache.size).toBe(0);
  });
});
