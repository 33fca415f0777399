/**
 * A point in time after which work is abandoned: `signal` aborts then (or when any deadline it
 * was combined from does), and `remainingMs` lets a statement carry the same limit to the
 * server, which knows nothing of our signal.
 */
export class Deadline {
  private constructor(
    readonly signal: AbortSignal,
    /** `performance.now()` time of the deadline. */
    private readonly at: number,
    private readonly timer: NodeJS.Timeout | undefined,
  ) {}

  /** Aborts `signal` with `reason` in `ms`, unless cleared first. */
  static in(ms: number, reason: () => Error): Deadline {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(reason()), ms);
    return new Deadline(controller.signal, performance.now() + ms, timer);
  }

  /** The earliest of `deadlines`: aborts as soon as any of them does. */
  static earliest(deadlines: readonly Deadline[]): Deadline | undefined {
    if (deadlines.length <= 1) return deadlines[0];
    return new Deadline(AbortSignal.any(deadlines.map((deadline) => deadline.signal)), Math.min(...deadlines.map((deadline) => deadline.at)), undefined);
  }

  /** Whole milliseconds left, at least 1 (0 means "no limit" to PostgreSQL). */
  remainingMs(): number {
    return Math.max(1, Math.floor(this.at - performance.now()));
  }

  /** The work finished in time: the timer is not needed any more. */
  clear(): void {
    clearTimeout(this.timer);
  }
}
