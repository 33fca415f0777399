import type { EntityManager } from '@mikro-orm/postgresql';

/** An event as a handler sees it (the seed's `webhook`: `provider`, `event`, `payload`). */
export interface WebhookJob {
  id: string;
  organizationId: string;
  integrationId: string;
  provider: string;
  /** The event type, e.g. `app_uninstalled`, `subscriptionRemoved`, `task.changed`. */
  event: string;
  payload: Record<string, unknown>;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
}

export interface WebhookHandlerContext {
  /**
   * The transaction that also marks the event COMPLETED: database side effects written through
   * it happen exactly once, whatever crashes or retries occur around them.
   */
  em: EntityManager;
  /** Aborted when the worker shuts down and gives up waiting; the event is then released, not failed. */
  signal: AbortSignal;
  /** Runs after the transaction commits (publishing, outbound calls that must not precede the commit). */
  afterCommit(task: () => Promise<void>): void;
}

export type WebhookHandler = (webhook: WebhookJob, context: WebhookHandlerContext) => Promise<void>;

/** Thrown (or wrapped) by a handler for a failure that no retry can fix: the event fails at once. */
export class PermanentWebhookError extends Error {
  override readonly name = 'PermanentWebhookError';
}
