import type { Principal } from './principal.js';

/** `AUTH_VERIFIED_TOKEN_CACHE_SECONDS`'s default. */
export const DEFAULT_VERIFIED_TOKEN_CACHE_SECONDS = 30;

export interface VerifiedTokenCacheOptions {
  /** How long a verified token is taken on trust. 0 turns the cache off. */
  ttlMs: number;
  /** Most tokens remembered; the oldest goes first. @default 10000 */
  maxEntries?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Entry {
  principal: Principal;
  /** The earlier of the TTL's end and the token's own end (`expiresAt`). */
  until: number;
}

/**
 * Principals of bearer tokens verified in the last few seconds, keyed on the token's exact text.
 * Verifying a JWT (an HMAC or signature check, and claims parsing) is most of an authenticated
 * request's CPU when the work behind it is small (a proxied call); a client sends the same token
 * with every request until it expires, so a short memory removes that cost without accepting any
 * token that was not verified: only verified tokens get in, none outlives its `exp` (plus the
 * clock tolerance, as verification allows), and none is taken on trust longer than the TTL (so a
 * key withdrawn from the JWKS stops being honoured that much later).
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The principal of `token` when it was verified recently and has not expired since. */
  get(token: string): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (this.#now() < entry.until) return entry.principal;
    this.#entries.delete(token);
    return undefined;
  }

  /** Remembers a token that was just verified. */
  set(token: string, principal: Principal): void {
    if (this.#ttlMs <= 0) return;
    const now = this.#now();
    const until = Math.min(now + this.#ttlMs, principal.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    if (until <= now) return;
    this.#entries.delete(token);
    // Map order is insertion order: the first key is the oldest entry.
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { principal: Object.freeze({ ...principal, roles: Object.freeze([...principal.roles]) }), until });
  }
}
