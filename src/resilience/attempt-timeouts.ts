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

/**
 * An attempt that ends itself when its time is up. Attempts in flight are kept in a doubly
 * linked list through their own fields: starting and clearing one is a few field writes, where
 * a `Set` costs a hash per add and delete (a quarter of the layer's own CPU per call).
 */
export abstract class TimedAttempt {
  /** Neighbours in the list of attempts in flight; unset when not in it. */
  previousPending: TimedAttempt | undefined = undefined;
  nextPending: TimedAttempt | undefined = undefined;

  /** @param expiresAt `performance.now()` at which {@link expire} is called. */
  constructor(readonly expiresAt: number) {}

  /** Called once, at `expiresAt`, unless {@link clearAttemptTimeout} came first. */
  abstract expire(): void;
}

/** An attempt of a call (fetch-attempt.ts, stream-attempt.ts), whose failure may be its timeout. */
export interface ExpiringAttempt extends TimedAttempt {
  /** The timeout has fired: a failure of this attempt is a timeout. */
  readonly expired: boolean;
}

/** Seconds since the attempt started (its timeout was armed `timeoutMs` before it expires). */
export const attemptSeconds = (attempt: TimedAttempt, timeoutMs: number): number => (performance.now() - (attempt.expiresAt - timeoutMs)) / 1000;

/** The list's sentinel: its `nextPending` is the oldest attempt in flight, its `previousPending` the newest. */
class PendingAttempts extends TimedAttempt {
  constructor() {
    super(Number.POSITIVE_INFINITY);
    this.previousPending = this;
    this.nextPending = this;
  }

  expire(): void {}
}

const pending = new PendingAttempts();
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
  const expired: TimedAttempt[] = [];
  let next = Number.POSITIVE_INFINITY;
  for (let attempt = pending.nextPending!; attempt !== pending; ) {
    const following = attempt.nextPending!;
    if (attempt.expiresAt <= now) {
      clearAttemptTimeout(attempt);
      expired.push(attempt);
    } else if (attempt.expiresAt < next) {
      next = attempt.expiresAt;
    }
    attempt = following;
  }
  // Armed before any attempt is ended, so that one whose ending throws leaves the others timed.
  if (next !== Number.POSITIVE_INFINITY) arm(next, now);
  for (const attempt of expired) attempt.expire();
}

/** Calls `attempt.expire()` at `attempt.expiresAt` unless {@link clearAttemptTimeout} comes first. */
export function startAttemptTimeout(attempt: TimedAttempt): void {
  const newest = pending.previousPending!;
  attempt.previousPending = newest;
  attempt.nextPending = pending;
  newest.nextPending = attempt;
  pending.previousPending = attempt;
  if (attempt.expiresAt < timerAt || timer === undefined || armedWith !== setTimeout) arm(attempt.expiresAt, performance.now());
}

export function clearAttemptTimeout(attempt: TimedAttempt): void {
  const { previousPending, nextPending } = attempt;
  if (!previousPending || !nextPending) return;
  previousPending.nextPending = nextPending;
  nextPending.previousPending = previousPending;
  attempt.previousPending = undefined;
  attempt.nextPending = undefined;
}
