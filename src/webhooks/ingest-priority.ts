export interface IngestPriorityOptions {
  /**
   * Deliveries waiting for their row to be committed from which ingest counts as saturated. At a
   * rate an instance serves comfortably a delivery is stored within milliseconds, so only a few
   * ever wait at once; dozens waiting means acknowledgements are queueing.
   * @default 16
   */
  saturatedAt?: number;
  /**
   * How long deliveries must keep waiting in those numbers before the worker yields: a momentary
   * pile-up (a cold start, a pause) clears by itself and should not delay processing.
   * @default 500
   */
  sustainedMs?: number;
  /**
   * While ingest is saturated, the worker starts a claim at most this often instead of back to
   * back: the floor of its progress, so processing never stops however long the burst lasts.
   * @default 100
   */
  claimIntervalMs?: number;
}

/**
 * Gives a saturated ingest path priority over the worker of the same process. A webhook receiver's
 * first duty is a fast acknowledgement: providers retry, and eventually disable the endpoint, when
 * acks are slow, whereas processing may lag during a burst. An in-process worker shares the CPU and
 * the database with ingest, so while many deliveries keep waiting for their commit, its claims are
 * spaced `claimIntervalMs` apart; within a claim interval of the waiting dropping, it is back to
 * full speed and catches up.
 * A worker process with no ingest of its own (`npm run worker`) never waits.
 */
export class IngestPriority {
  private readonly saturatedAt: number;
  private readonly sustainedMs: number;
  private readonly claimIntervalMs: number;
  private waitingForCommit = 0;
  /** When the current run of saturation began and when it was last seen (runs end after a claim interval without). */
  private saturationBeganAt = -Infinity;
  private lastSaturatedAt = -Infinity;
  private nextClaimAt = 0;
  private readonly claimers: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(options: IngestPriorityOptions = {}) {
    this.saturatedAt = options.saturatedAt ?? 16;
    this.sustainedMs = options.sustainedMs ?? 500;
    this.claimIntervalMs = options.claimIntervalMs ?? 100;
  }

  /**
   * Whether ingest has been saturated for `sustainedMs`, and still was within the last claim
   * interval. Group commit makes the waiting count saw-toothed (a whole batch is acknowledged at
   * once), so the instant count would let the worker through at every commit.
   */
  get saturated(): boolean {
    const now = performance.now();
    this.observe(now);
    return now - this.lastSaturatedAt < this.claimIntervalMs && this.lastSaturatedAt - this.saturationBeganAt >= this.sustainedMs;
  }

  /** Runs `store` (committing deliveries before their acknowledgement), counted as waiting until it settles. */
  async storing<T>(store: () => Promise<T>): Promise<T> {
    this.waitingForCommit++;
    this.observe(performance.now());
    try {
      return await store();
    } finally {
      this.waitingForCommit--;
    }
  }

  private observe(now: number): void {
    if (this.waitingForCommit < this.saturatedAt) return;
    if (now - this.lastSaturatedAt >= this.claimIntervalMs) this.saturationBeganAt = now;
    this.lastSaturatedAt = now;
  }

  /** Resolves when the worker may claim: at once unless ingest is saturated, else at its next turn (every claimer at once when ingest has recovered). */
  claimTurn(): Promise<void> {
    const now = performance.now();
    if (this.claimers.length === 0 && (!this.saturated || now >= this.nextClaimAt)) {
      this.nextClaimAt = now + this.claimIntervalMs;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.claimers.push(resolve);
      this.scheduleNextTurn();
    });
  }

  /** Wakes up at the next turn, or earlier when saturation would be over by then (all claimers go at once). */
  private scheduleNextTurn(): void {
    if (this.timer) return;
    const wakeAt = Math.min(this.nextClaimAt, this.lastSaturatedAt + this.claimIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = performance.now();
      if (!this.saturated) {
        this.nextClaimAt = now + this.claimIntervalMs;
        for (const admit of this.claimers.splice(0)) admit();
        return;
      }
      if (now >= this.nextClaimAt) {
        this.nextClaimAt = now + this.claimIntervalMs;
        this.claimers.shift()!();
      }
      if (this.claimers.length > 0) this.scheduleNextTurn();
    }, Math.max(0, wakeAt - performance.now()));
  }
}
