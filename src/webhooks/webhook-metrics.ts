import { Counter, Gauge, Histogram } from 'prom-client';
import type { WebhookQueueStats } from '../db/repositories/webhook-event.repository.js';

/** Where the depth gauges read from at scrape time (the database: the row is the truth). */
let statsSource: (() => Promise<WebhookQueueStats>) | null = null;

export function setWebhookQueueStatsSource(source: (() => Promise<WebhookQueueStats>) | null): void {
  statsSource = source;
}

export const webhookQueueDepth = new Gauge({
  name: 'webhook_queue_depth',
  help: 'Webhook events by status, across organizations, read from the database at scrape time.',
  labelNames: ['status'] as const,
  async collect() {
    if (!statsSource) return;
    try {
      const stats = await statsSource();
      for (const status of ['pending', 'processing', 'completed', 'failed'] as const) this.set({ status }, stats[status]);
      webhookOldestPendingAge.set(stats.oldestPendingAgeSeconds);
    } catch {
      // The database is down: /readyz says so; stale figures are better than a failed scrape.
    }
  },
});

export const webhookOldestPendingAge = new Gauge({
  name: 'webhook_queue_oldest_pending_age_seconds',
  help: 'Age of the oldest PENDING webhook event.',
});

export const webhookProcessingDuration = new Histogram({
  name: 'webhook_event_processing_duration_seconds',
  help: 'Time from claiming a webhook event to its outcome, by provider and outcome.',
  labelNames: ['provider', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const webhookDeliveries = new Counter({
  name: 'webhook_deliveries_total',
  help: 'Inbound webhook requests by provider and outcome (stored, duplicate, acknowledged, rejected, unavailable).',
  labelNames: ['provider', 'outcome'] as const,
});
