import type { WebhookEventEntity } from '../../db/entities/index.js';

/** Ids the queue should offer to a worker; `attempts` tells re-offers of one event apart. */
export interface QueuedWebhookEvent {
  id: string;
  attempts: number;
  /**
   * Set on the sweeper's re-offers of overdue events: the earlier offer may still sit in the
   * broker in a state no worker will ever finish (held by a killed worker), so a re-offer must not
   * be deduplicated against it forever. Changes once per grace period, bounding the duplicates.
   */
  reofferKey?: string;
}

/** Runs claimed events (one, or a batch claimed together); the backend limits how many run at once. */
export type RunClaimedEvents = (claimed: readonly WebhookEventEntity[], signal: AbortSignal) => Promise<void>;

export interface ConsumerOptions {
  concurrency: number;
  signal: AbortSignal;
  /** Awaited before each claim (see IngestPriority): claiming waits while ingest is saturated. */
  claimTurn(): Promise<void>;
}

/**
 * How event ids travel from ingest to workers. The database row is the truth: a backend only
 * says "look at this id", so a lost or repeated message costs a retry, never an event.
 */
export interface QueueBackend {
  readonly kind: 'database' | 'bullmq';
  /** Offers committed events to consumers, after `delayMs` when given. */
  enqueue(events: readonly QueuedWebhookEvent[], delayMs?: number): Promise<void>;
  /** Starts claiming events and handing them to `run`, at most `concurrency` at a time. */
  start(run: RunClaimedEvents, options: ConsumerOptions): void;
  /** Stops claiming; resolves once every running event has settled. */
  stop(): Promise<void>;
  close(): Promise<void>;
}
