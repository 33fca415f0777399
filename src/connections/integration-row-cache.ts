import type { OrganizationWatch, PubSub } from '../pubsub/topics.js';
import type { TokenRow } from './token-row.js';

export interface IntegrationRowCacheOptions {
  /**
   * Longest a row is served without reading it again, in ms: the bound on staleness should a
   * change go unannounced (plain SQL, or a process without REDIS_URL whose messages no server
   * hears). Far below the response cache's 10 s, because a stale row here sends a token to a
   * provider rather than showing old data; a second is already one read per busy integration per
   * second instead of one per call.
   * @default 1000
   */
  ttlMs?: number;
  /**
   * Most rows kept; past it the oldest stored goes first. Only CONNECTED rows of the caller's own
   * organization are stored, so nobody grows it by cycling through ids.
   * @default 10000
   */
  maxEntries?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Entry {
  readonly organizationId: string;
  readonly row: TokenRow;
  readonly expiresAt: number;
}

/** A database read under way for one key. */
interface Read {
  readonly organizationId: string;
  /** No change of the organization was announced since the read began: its row may be stored, and later callers may share it. */
  current: boolean;
  promise: Promise<TokenRow | undefined>;
}

/** Only a row the proxy can use is worth keeping; every other answer (absent, disconnected, in ERROR, refused) is read each time, so a reconnect counts at once. */
const servable = (row: TokenRow): boolean => row.status === 'connected' && !row.needs_reauthorization && row.access_token !== null;

/**
 * Integration rows as the token manager reads them under an organization, kept for a moment so
 * a busy integration's proxied calls do not each read the database. Correctness rests on the
 * same order as the response cache's: every write announces itself after it commits, and a
 * change announced while a read was under way voids that read (it is neither stored nor shared),
 * so a stored row is never older than the last announcement. A pub/sub gap forgets everything;
 * while the watch is not live nothing is read from or stored in the cache. Rows hold the tokens
 * sealed, as stored.
 */
export class IntegrationRowCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #watch: OrganizationWatch;
  /** Map order is insertion order: the first entry is the oldest stored. */
  readonly #entries = new Map<string, Entry>();
  readonly #keysByOrganization = new Map<string, Set<string>>();
  /** Reads still current, by key: a caller finding one shares its answer instead of reading again. */
  readonly #reads = new Map<string, Read>();

  /** Starts watching `pubsub` for changes; `close` stops. */
  constructor(pubsub: Pick<PubSub, 'watchOrganizations'>, options: IntegrationRowCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 1_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#watch = pubsub.watchOrganizations({ changed: (organizationId) => this.#forgetOrganization(organizationId), gap: () => this.#forgetAll() });
  }

  /** The integration's row under `organizationId`: kept, or `load`ed (and kept when servable). */
  read(organizationId: string, integrationId: string, load: () => Promise<TokenRow | undefined>): Promise<TokenRow | undefined> {
    if (!this.#watch.live()) return load();
    const key = `${organizationId}/${integrationId}`;
    const entry = this.#entries.get(key);
    if (entry) {
      if (entry.expiresAt > this.#now()) return Promise.resolve(entry.row);
      this.#drop(key, entry);
    }
    const running = this.#reads.get(key);
    if (running) return running.promise;
    const read: Read = { organizationId, current: true, promise: Promise.resolve(undefined) };
    // Registered before `load` runs: a change announced while it runs must find it.
    this.#reads.set(key, read);
    read.promise = this.#fill(key, read, load);
    return read.promise;
  }

  /**
   * This process changed the row (a refresh, a refused token, a disconnect): the next caller
   * reads the database, and no read begun before now is stored. Synchronous, so nothing waits
   * for the announcement to come back through pub/sub.
   */
  forget(organizationId: string, integrationId: string): void {
    const key = `${organizationId}/${integrationId}`;
    const entry = this.#entries.get(key);
    if (entry) this.#drop(key, entry);
    this.#void(key);
  }

  /** Rows kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Stops watching; every later read goes to the database. */
  close(): void {
    this.#watch.stop();
    this.#forgetAll();
  }

  async #fill(key: string, read: Read, load: () => Promise<TokenRow | undefined>): Promise<TokenRow | undefined> {
    try {
      const row = await load();
      if (!row) return undefined;
      // Shared by every caller that joins the read or hits the entry: none may change it for the others.
      Object.freeze(row.connection_params);
      Object.freeze(row);
      if (read.current && servable(row) && this.#watch.live()) this.#store(key, read.organizationId, row);
      return row;
    } finally {
      if (this.#reads.get(key) === read) this.#reads.delete(key);
    }
  }

  #store(key: string, organizationId: string, row: TokenRow): void {
    if (this.#entries.size >= this.#maxEntries) {
      const [oldestKey, oldest] = this.#entries.entries().next().value!;
      this.#drop(oldestKey, oldest);
    }
    this.#entries.set(key, { organizationId, row, expiresAt: this.#now() + this.#ttlMs });
    let keys = this.#keysByOrganization.get(organizationId);
    if (!keys) this.#keysByOrganization.set(organizationId, (keys = new Set()));
    keys.add(key);
  }

  #forgetOrganization(organizationId: string): void {
    for (const key of this.#keysByOrganization.get(organizationId) ?? []) this.#drop(key, this.#entries.get(key)!);
    for (const [key, read] of this.#reads) if (read.organizationId === organizationId) this.#void(key);
  }

  #forgetAll(): void {
    this.#entries.clear();
    this.#keysByOrganization.clear();
    for (const read of this.#reads.values()) read.current = false;
    this.#reads.clear();
  }

  /** The read under way for `key`, if any, may no longer be stored or shared. */
  #void(key: string): void {
    const read = this.#reads.get(key);
    if (!read) return;
    read.current = false;
    this.#reads.delete(key);
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    const keys = this.#keysByOrganization.get(entry.organizationId);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysByOrganization.delete(entry.organizationId);
  }
}
