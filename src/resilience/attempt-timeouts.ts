/**
 * Per-attempt timeouts without a Node timer per attempt.
 *
 * Every provider call arms a timeout (30 s by default) that nearly always is cleared a few
 * milliseconds later. A `setTimeout`/`clearTimeout` pair per attempt makes Node create and drop
 * a timer list and ref and unref the loop's timer handle each time: measured on a local round
 * trip that is ~5 µs, 3–4 % of the call. Here attempts in flight are kept in a set and one
 * shared, unreferenced timer is armed for the earliest expiry; finishing an attempt is a set
 * deletion. The timer may fire early for an entry that is already gone: it then re-arms for the
 * earliest live one.
 *
 * Unreferenced is safe: a timeout only matters while its `fetch` is in flight, and a request
 * in flight keeps the process alive by its socket.
 */
export interface AttemptTimeout {
  readonly controller: AbortController;
  /** `performance.now()` at which the attempt is aborted. */
  readonly expiresAt: number;
}

const pending = new Set<AttemptTimeout>();
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;
/** The `setTimeout` that armed `timer`: a test switching to fake timers (or back) re-arms. */
let armedWith: typeof setTimeout | undefined;

function arm(at: number, now: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedWith = setTimeout;
  timerAt = at;
  timer = setTimeout(fire, Math.max(0, at - now));
  timer.unref?.();
}

function fire(): void {
  timer = undefined;
  timerAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  for (const entry of pending) {
    if (entry.expiresAt <= now) {
      pending.delete(entry);
      entry.controller.abort();
    } else if (entry.expiresAt < next) {
      next = entry.expiresAt;
    }
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next, now);
}

/** Aborts `controller` (a plain `abort()`: `fetch` rejects with an AbortError) after `ms` unless {@link clearAttemptTimeout} comes first. */
export function startAttemptTimeout(controller: AbortController, ms: number): AttemptTimeout {
  const now = performance.now();
  const entry: AttemptTimeout = { controller, expiresAt: now + ms };
  pending.add(entry);
  if (entry.expiresAt < timerAt || timer === undefined || armedWith !== setTimeout) arm(entry.expiresAt, now);
  return entry;
}

export function clearAttemptTimeout(entry: AttemptTimeout): void {
  pending.delete(entry);
}
