/**
 * The time a fake provider lives in: expiries (Graph subscriptions, Google channels, Gmail
 * watches) and Asana's 24-hour deletion are judged against `now()`, which only moves when a
 * test moves it, so "three days later" takes no time. Several fakes and the service under test
 * can share one clock.
 *
 * Rate limits, latency and delivery timeouts use real time instead: they are about how fast
 * requests arrive, which a test cannot fake.
 */
export class FakeClock {
  #now: number;

  /** @param start epoch milliseconds to start at. @default Date.now() */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` (never backward). */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`a fake clock only moves forward, not by ${ms} ms`);
    this.#now += ms;
    return this.#now;
  }

  /** Sets the clock to `epochMs`, which may not be earlier than now. */
  set(epochMs: number): number {
    return this.advance(epochMs - this.#now);
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
