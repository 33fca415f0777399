import { Counter, Gauge } from 'prom-client';

/** Per provider and status, with the soonest expiry: what the gauges read at scrape time. */
export interface SubscriptionFigures {
  byStatus: { provider: string; status: string; count: number }[];
  soonestExpiry: { provider: string; expiresAt: Date }[];
}

/** Where the gauges read from at scrape time (the database: the rows are the truth). */
let figuresSource: (() => Promise<SubscriptionFigures>) | null = null;
let latest: Promise<SubscriptionFigures> | null = null;

export function setSubscriptionFiguresSource(source: (() => Promise<SubscriptionFigures>) | null): void {
  figuresSource = source;
}

/** One database read per scrape feeds both gauges. */
function figures(): Promise<SubscriptionFigures> | null {
  if (!figuresSource) return null;
  latest ??= figuresSource().finally(() => setTimeout(() => (latest = null), 0));
  return latest;
}

export const subscriptionsByStatus = new Gauge({
  name: 'provider_subscriptions',
  help: 'Provider subscriptions by provider and status (pending, active, failed, expired, stopped), read from the database at scrape time.',
  labelNames: ['provider', 'status'] as const,
  async collect() {
    const pending = figures();
    if (!pending) return;
    try {
      const { byStatus } = await pending;
      this.reset();
      for (const row of byStatus) this.set({ provider: row.provider, status: row.status }, row.count);
    } catch {
      // The database is down: /readyz says so; stale figures are better than a failed scrape.
    }
  },
});

export const subscriptionSoonestExpiry = new Gauge({
  name: 'provider_subscription_soonest_expiry_seconds',
  help: 'Seconds until the soonest expiry among the provider subscriptions that are not stopped (negative: one has lapsed).',
  labelNames: ['provider'] as const,
  async collect() {
    const pending = figures();
    if (!pending) return;
    try {
      const { soonestExpiry } = await pending;
      this.reset();
      for (const row of soonestExpiry) this.set({ provider: row.provider }, Math.round((row.expiresAt.getTime() - Date.now()) / 1000));
    } catch {
      // As above.
    }
  },
});

export const subscriptionActions = new Counter({
  name: 'provider_subscription_actions_total',
  help: 'Scheduler actions on provider subscriptions by provider, action (create, renew, reauthorize, check, stop) and outcome (ok, failed, rate_limited, gone, lapsed).',
  labelNames: ['provider', 'action', 'outcome'] as const,
});
