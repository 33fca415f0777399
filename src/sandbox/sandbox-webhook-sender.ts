import { randomUUID } from 'node:crypto';
import { standardWebhookKey, standardWebhookSignature } from '../webhooks/receivers/standard-webhooks-receiver.js';
import type { SandboxSubscription } from './sandbox-store.js';

/** The slice of a pino logger the sender uses. */
export interface SenderLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface SandboxWebhookSenderOptions {
  logger: SenderLogger;
  /** Waits before each further attempt. @default [1000, 5000, 30000] */
  retryDelaysMs?: readonly number[];
  /** Per-attempt timeout. @default 10000 */
  timeoutMs?: number;
}

/** One change to tell a subscription about. */
export interface SandboxEvent {
  type: string;
  data: Record<string, unknown>;
}

/** 2xx is delivered; 4xx other than 408 and 429 will not change by sending again. */
const worthRetrying = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Sends the sandbox's webhooks the way a Standard Webhooks provider does: a JSON POST to the
 * subscription's URL with `webhook-id` (the same on every attempt, so the receiver stores it
 * once), `webhook-timestamp` and `webhook-signature` (signed afresh per attempt), retried on
 * network errors, timeouts and 408/429/5xx after the configured waits. In process and best
 * effort: what is still waiting when the service stops is dropped, as a provider's outage would.
 */
export class SandboxWebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;

  constructor(private readonly options: SandboxWebhookSenderOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 5000, 30_000];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  send(subscription: SandboxSubscription, event: SandboxEvent): void {
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({ type: event.type, subscriptionId: subscription.id, resource: subscription.resource, timestamp: new Date().toISOString(), data: event.data });
    void this.attempt(subscription, id, body, 0);
  }

  private async attempt(subscription: SandboxSubscription, id: string, body: string, attempt: number): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    let outcome: string;
    try {
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(subscription.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': `v1,${standardWebhookSignature(standardWebhookKey(subscription.secret), id, String(timestamp), body)}`,
        },
        body,
        signal: controller.signal,
      });
      await response.body?.cancel();
      if (response.ok) {
        this.options.logger.info({ webhookId: id, subscriptionId: subscription.id, status: response.status, attempt: attempt + 1 }, 'sandbox webhook delivered');
        return;
      }
      if (!worthRetrying(response.status)) {
        this.options.logger.warn({ webhookId: id, subscriptionId: subscription.id, status: response.status }, 'sandbox webhook refused; not sent again');
        return;
      }
      outcome = `HTTP ${response.status}`;
    } catch (error) {
      outcome = controller.signal.aborted ? 'timed out' : (error as Error).message;
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    const wait = this.retryDelaysMs[attempt];
    this.options.logger.warn({ webhookId: id, subscriptionId: subscription.id, outcome, attempt: attempt + 1, retryInMs: wait ?? null }, 'sandbox webhook not delivered');
    if (wait === undefined || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(subscription, id, body, attempt + 1);
    }, wait);
    this.timers.add(timer);
  }

  /** Drops waiting retries and aborts deliveries under way. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
  }
}
