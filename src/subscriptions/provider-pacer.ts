import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '../db/database.js';

export interface ProviderPacerOptions {
  database: Database;
  /** Requests per second to a provider whose limit has not been learned yet. @default 10 */
  initialRate?: number;
  /** The pace never drops below this, so a provider that throttles hard is still probed. @default 1 */
  minRate?: number;
  /**
   * Permits that may pile up while idle, in seconds of the current rate: the largest burst. Small,
   * because a provider counting requests in a sliding window refuses bursts above its limit even
   * when the average is below it. @default 0.05
   */
  burstSeconds?: number;
  /**
   * A 429 whose Retry-After is longer than this pauses every request to the provider until then
   * (the provider throttles the app as a whole); a shorter one is the end of a rate window, which
   * the lowered pace handles, and pausing everyone for it would waste the next window.
   * @default 1000
   */
  pauseAboveMs?: number;
  /** @default Date.now (real time: providers count requests in real time) */
  now?: () => number;
}

interface RateRow {
  rate: number;
  tokens: number;
  refilled_at: string | Date;
  paused_until: string | Date | null;
  probing: boolean;
  window_started_at: string | Date;
  window_ok: number;
  window_limited: number;
  window_starved: boolean;
}

interface Waiter {
  resolve(): void;
}

/** Outcomes not yet told to the shared row. */
interface Report {
  ok: number;
  limited: number;
  retryAfterMs: number;
}

const ms = (value: string | Date | null): number | null => (value === null ? null : new Date(value).getTime());

/** The measurement window: outcomes are summed over it before the pace is adjusted. */
const WINDOW_MS = 1000;
/** While probing, a window that used every permit without a 429 doubles the pace. */
const PROBE_FACTOR = 2;
/** Once the limit was met, a busy window without a 429 raises the pace by 1 % (+0.2/s): a slow climb back to the limit. */
const CLIMB_FACTOR = 1.01;
const CLIMB_STEP = 0.2;
/** A window with 429s sets the pace just under what the provider accepted in it. */
const BELOW_ACCEPTED = 0.97;

/**
 * Paces the requests every instance sends to each provider, at a rate they share and learn
 * together: one row per provider in `provider_rate_limits` holds a token bucket (rate, tokens)
 * and the outcomes of the current one-second window, reported by every instance with its next
 * request for permits.
 *
 * - Until the first 429 the rate doubles each second it was the bottleneck (probing).
 * - A second with 429s means the provider accepted about `window_ok` requests in it: the rate
 *   becomes 97 % of that, and from then on climbs 1 % per busy second, so it settles just under
 *   the provider's limit and finds it again if the limit changes.
 * - A Retry-After beyond `pauseAboveMs` pauses the provider for everyone until then.
 *
 * Permits are asked for in batches (one transaction grants what every waiting request of this
 * instance needs), so the shared row costs one round trip per batch, not per request.
 */
export class ProviderPacer {
  private readonly database: Database;
  private readonly initialRate: number;
  private readonly minRate: number;
  private readonly burstSeconds: number;
  private readonly pauseAboveMs: number;
  private readonly now: () => number;
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly reports = new Map<string, Report>();
  private readonly acquiring = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(options: ProviderPacerOptions) {
    this.database = options.database;
    this.initialRate = options.initialRate ?? 10;
    this.minRate = options.minRate ?? 1;
    this.burstSeconds = options.burstSeconds ?? 0.05;
    this.pauseAboveMs = options.pauseAboveMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Resolves when one request to `provider` may be sent. */
  take(provider: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const queue = this.waiting.get(provider) ?? [];
      queue.push({ resolve });
      this.waiting.set(provider, queue);
      this.acquire(provider);
    });
  }

  /** How a paced request ended: `limited` for a 429, with the provider's Retry-After. */
  report(provider: string, outcome: { limited: boolean; retryAfterMs?: number | undefined }): void {
    const report = this.reports.get(provider) ?? { ok: 0, limited: 0, retryAfterMs: 0 };
    if (outcome.limited) {
      report.limited++;
      report.retryAfterMs = Math.max(report.retryAfterMs, outcome.retryAfterMs ?? 0);
    } else {
      report.ok++;
    }
    this.reports.set(provider, report);
  }

  /** Lets every waiting request go (shutdown: they fail or finish on their own) and stops asking. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const queue of this.waiting.values()) for (const waiter of queue.splice(0)) waiter.resolve();
  }

  private acquire(provider: string): void {
    if (this.acquiring.has(provider) || this.closed) return;
    this.acquiring.add(provider);
    void this.grant(provider).then(
      (waitMs) => {
        this.acquiring.delete(provider);
        if ((this.waiting.get(provider)?.length ?? 0) === 0 || this.closed) return;
        if (waitMs <= 0) return this.acquire(provider);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.acquire(provider);
        }, waitMs);
        this.timers.add(timer);
      },
      () => {
        // The database is unreachable: requests go out unpaced rather than stall (they will
        // most likely fail on their own database writes anyway).
        this.acquiring.delete(provider);
        for (const waiter of this.waiting.get(provider)?.splice(0) ?? []) waiter.resolve();
      },
    );
  }

  /** One transaction: report outcomes, adjust the rate, grant what is waiting. Returns how long to wait before asking again. */
  private async grant(provider: string): Promise<number> {
    const wanted = this.waiting.get(provider)?.length ?? 0;
    if (wanted === 0) return 0;
    const report = this.reports.get(provider) ?? { ok: 0, limited: 0, retryAfterMs: 0 };
    this.reports.delete(provider);
    const { granted, waitMs } = await this.database.asSystem((em) => this.grantLocked(em, provider, wanted, report));
    const queue = this.waiting.get(provider) ?? [];
    for (const waiter of queue.splice(0, granted)) waiter.resolve();
    return waitMs;
  }

  private async grantLocked(em: EntityManager, provider: string, wanted: number, report: Report): Promise<{ granted: number; waitMs: number }> {
    const now = this.now();
    await em.execute(
      `insert into provider_rate_limits (provider, rate, tokens, refilled_at, window_started_at) values (?, ?, ?, ?, ?) on conflict (provider) do nothing`,
      [provider, this.initialRate, Math.max(1, this.initialRate * this.burstSeconds), new Date(now), new Date(now)],
    );
    const [row] = await em.execute<RateRow[]>(`select * from provider_rate_limits where provider = ? for update`, [provider]);
    if (!row) throw new Error(`provider_rate_limits row of ${provider} vanished`);

    let rate = Number(row.rate);
    let probing = row.probing;
    let windowStartedAt = ms(row.window_started_at)!;
    let windowOk = row.window_ok + report.ok;
    let windowLimited = row.window_limited + report.limited;
    let windowStarved = row.window_starved;
    let pausedUntil = ms(row.paused_until);
    if (report.limited > 0 && report.retryAfterMs > this.pauseAboveMs) pausedUntil = Math.max(pausedUntil ?? 0, now + report.retryAfterMs);

    const windowMs = now - windowStartedAt;
    if (windowMs >= WINDOW_MS) {
      if (windowLimited > 0) {
        // A window stretched by idle time (no request asked for permits) would understate the rate accepted.
        const accepted = (windowOk * 1000) / Math.min(windowMs, 2 * WINDOW_MS);
        rate = Math.max(this.minRate, Math.min(rate, accepted) * BELOW_ACCEPTED);
        probing = false;
      } else if (windowStarved) {
        rate = probing ? rate * PROBE_FACTOR : rate * CLIMB_FACTOR + CLIMB_STEP;
      }
      windowStartedAt = now;
      windowOk = 0;
      windowLimited = 0;
      windowStarved = false;
    }

    const elapsed = Math.max(0, now - ms(row.refilled_at)!) / 1000;
    // At least one whole permit must fit, or a slow pace would never grant any.
    let tokens = Math.min(Math.max(1, rate * this.burstSeconds), Number(row.tokens) + rate * elapsed);
    let granted = 0;
    let waitMs: number;
    if (pausedUntil !== null && pausedUntil > now) {
      waitMs = pausedUntil - now;
    } else {
      granted = Math.min(wanted, Math.floor(tokens));
      tokens -= granted;
      if (granted < wanted) windowStarved = true;
      waitMs = granted < wanted ? Math.ceil(((1 - tokens) / rate) * 1000) : 0;
    }

    await em.execute(
      `update provider_rate_limits set rate = ?, tokens = ?, refilled_at = ?, paused_until = ?, probing = ?,
         window_started_at = ?, window_ok = ?, window_limited = ?, window_starved = ?, updated_at = now()
       where provider = ?`,
      [rate, tokens, new Date(now), pausedUntil === null ? null : new Date(pausedUntil), probing, new Date(windowStartedAt), windowOk, windowLimited, windowStarved, provider],
    );
    return { granted, waitMs: Math.max(waitMs, granted < wanted ? 1 : 0) };
  }
}
