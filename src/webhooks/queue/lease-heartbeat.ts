import type { SqlExecute, WebhookEventStore } from '../webhook-event-store.js';
import type { WebhookLogger } from '../webhook-logger.js';

export interface LeaseHeartbeatOptions {
  store: WebhookEventStore;
  /** `asSystem` statements in one round trip. */
  sql: SqlExecute;
  leaseMs: number;
  /** How often held leases are extended; several beats fit in one lease, so a missed one costs nothing. */
  intervalMs: number;
  logger: WebhookLogger;
}

/**
 * Keeps the leases of the events this worker holds (claimed, not yet settled) from running out,
 * so the lease can be short: a worker killed with SIGKILL stops beating, and its events go back
 * to the queue a lease later (the sweeper reclaims them), not minutes later. An event waiting for
 * a handler slot, or a handler running longer than the lease, is never taken over while its worker
 * lives. One UPDATE per beat for everything held; none while nothing is.
 */
export class LeaseHeartbeat {
  /** Held events: id → the attempts they were claimed with (the fencing token). */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(private readonly options: LeaseHeartbeatOptions) {}

  hold(events: readonly { id: string; attempts: number }[]): void {
    for (const event of events) this.held.set(event.id, event.attempts);
    if (this.held.size > 0 && !this.timer) {
      this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  /** The event has settled (completed, failed, released or lost): its lease is no longer ours to extend. */
  release(id: string): void {
    this.held.delete(id);
    if (this.held.size === 0) this.stopTimer();
  }

  /** Extends every held lease now (the timer calls it; tests may too). */
  beat(): Promise<void> {
    if (this.beating || this.held.size === 0) return this.beating ?? Promise.resolve();
    const held = [...this.held].map(([id, attempts]) => ({ id, attempts }));
    this.beating = this.options.store
      .extendLeases(this.options.sql, held, this.options.leaseMs)
      .then(
        () => undefined,
        // The next beat tries again; only after a whole lease of failures can the sweeper take an
        // event over, and the attempts fencing then keeps this worker from completing it too.
        (error: unknown) => this.options.logger.warn({ count: held.length, err: (error as Error).message }, 'webhook lease heartbeat failed'),
      )
      .finally(() => {
        this.beating = null;
      });
    return this.beating;
  }

  async stop(): Promise<void> {
    this.stopTimer();
    await this.beating;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
