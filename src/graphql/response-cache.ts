/**
 * When a read began, as far as the cache can tell: its answer may be stored only if nothing
 * about its organization changed (and nothing was missed) since.
 */
export interface CacheStamp {
  readonly epoch: number;
  readonly generation: number;
}

export interface ResponseCacheOptions {
  /** Total size of the stored answers (their JSON length). */
  maxBytes: number;
  /** Longest an answer is served, in ms: the bound on staleness should a change ever go unannounced. */
  ttlMs: number;
  /** @default Date.now */
  now?: () => number;
}

interface Entry {
  readonly organizationId: string;
  readonly data: unknown;
  readonly bytes: number;
  readonly expiresAt: number;
}

/**
 * Organizations tracked at most; past it the cache starts over rather than grow without bound
 * (a generation may only be forgotten together with the answers stamped with it).
 */
const MAX_TRACKED_ORGANIZATIONS = 100_000;

/**
 * Answers to read operations, per organization, forgotten as soon as the organization's data
 * changes. Correctness rests on one order: a read takes its {@link stamp} BEFORE it reads the
 * database, and every write announces itself AFTER it commits (`invalidate`). So an answer that
 * might predate a change carries a generation older than the one the change's announcement set,
 * and is neither stored nor served. A lost announcement (`clear`, on a pub/sub gap) moves the
 * epoch, which every stamp taken before it fails. Least recently used answers go first.
 */
export class ResponseCache {
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #keysByOrganization = new Map<string, Set<string>>();
  readonly #generations = new Map<string, number>();
  #epoch = 0;
  #bytes = 0;

  constructor(options: ResponseCacheOptions) {
    this.#maxBytes = options.maxBytes;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Take before reading the database for an answer that may be stored. */
  stamp(organizationId: string): CacheStamp {
    return { epoch: this.#epoch, generation: this.#generations.get(organizationId) ?? 0 };
  }

  get(organizationId: string, key: string): unknown {
    const entryKey = `${organizationId}\n${key}`;
    const entry = this.#entries.get(entryKey);
    if (!entry) return undefined;
    this.#entries.delete(entryKey);
    if (entry.expiresAt <= this.#now()) {
      this.#forget(entryKey, entry);
      return undefined;
    }
    this.#entries.set(entryKey, entry);
    return entry.data;
  }

  /** Stores an answer read after `stamp` unless something changed since; `bytes` is its size. */
  set(organizationId: string, key: string, data: unknown, bytes: number, stamp: CacheStamp): void {
    if (!this.#current(organizationId, stamp) || bytes > this.#maxBytes) return;
    const entryKey = `${organizationId}\n${key}`;
    const previous = this.#entries.get(entryKey);
    if (previous) this.#forget(entryKey, previous);
    this.#entries.set(entryKey, { organizationId, data, bytes, expiresAt: this.#now() + this.#ttlMs });
    this.#bytes += bytes;
    let keys = this.#keysByOrganization.get(organizationId);
    if (!keys) this.#keysByOrganization.set(organizationId, (keys = new Set()));
    keys.add(entryKey);
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#forget(oldestKey, oldest);
    }
  }

  /** The organization's data changed (announced after commit): its answers go, and reads stamped before now may not be stored. */
  invalidate(organizationId: string): void {
    if (this.#generations.size >= MAX_TRACKED_ORGANIZATIONS && !this.#generations.has(organizationId)) {
      this.clear();
      return;
    }
    this.#generations.set(organizationId, (this.#generations.get(organizationId) ?? 0) + 1);
    for (const entryKey of this.#keysByOrganization.get(organizationId) ?? []) this.#forget(entryKey, this.#entries.get(entryKey)!);
  }

  /** Everything goes, and no read stamped before now may be stored. */
  clear(): void {
    this.#epoch += 1;
    this.#entries.clear();
    this.#keysByOrganization.clear();
    this.#generations.clear();
    this.#bytes = 0;
  }

  /** Size of the stored answers, in bytes. */
  get size(): number {
    return this.#bytes;
  }

  #current(organizationId: string, stamp: CacheStamp): boolean {
    return stamp.epoch === this.#epoch && stamp.generation === (this.#generations.get(organizationId) ?? 0);
  }

  #forget(entryKey: string, entry: Entry): void {
    this.#entries.delete(entryKey);
    this.#bytes -= entry.bytes;
    const keys = this.#keysByOrganization.get(entry.organizationId);
    keys?.delete(entryKey);
    if (keys?.size === 0) this.#keysByOrganization.delete(entry.organizationId);
  }
}
