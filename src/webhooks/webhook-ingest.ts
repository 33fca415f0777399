import { Deadline } from './deadline.js';
import { WebhookRejection, type InboundWebhook, type WebhookReply } from './inbound-webhook.js';
import type { ProviderReceiver } from './provider-receiver.js';
import type { WebhookLogger } from './webhook-logger.js';
import { webhookDeliveries } from './webhook-metrics.js';
import type { WebhookQueue } from './webhook-queue.js';

export interface WebhookIngestOptions {
  /** The receiver for a provider id, or undefined when the id names no provider (404). */
  receiverFor(providerId: string): ProviderReceiver | undefined;
  queue: Pick<WebhookQueue, 'ingest'>;
  logger: WebhookLogger;
  /**
   * How long routing and storing may take before the provider is told to retry (503). A pool
   * waiting for an unreachable database would otherwise hold the request until the provider's
   * own timeout. The store is abandoned then, never committed later: deliveries answered 503 in an
   * outage would otherwise pile up waiting for connections and land on the database all at once
   * when it returns.
   * @default 5000
   */
  timeoutMs?: number;
}

class IngestTimeout extends Error {
  override readonly name = 'IngestTimeout';
}

/** Runs `work` with a deadline in `timeoutMs`; rejects then, whether or not `work` has noticed. */
async function withDeadline<T>(work: (deadline: Deadline) => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Deadline.in(timeoutMs, () => new IngestTimeout(`not stored within ${timeoutMs} ms`));
  const passed = new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true }));
  try {
    return await Promise.race([work(deadline), passed]);
  } finally {
    deadline.clear();
  }
}

export type WebhookIngest = (request: InboundWebhook) => Promise<WebhookReply>;

/**
 * `POST /webhooks/:providerId` without the HTTP: verify (or answer a handshake), store the
 * verified events, and only then produce the acknowledgement. Rejections store nothing. Any
 * other failure (the database is down) answers 503 so the provider delivers again later;
 * a 2xx is never sent for an event that is not committed.
 */
export function createWebhookIngest({ receiverFor, queue, logger, timeoutMs = 5000 }: WebhookIngestOptions): WebhookIngest {
  return async (request) => {
    const provider = request.providerId;
    const receiver = receiverFor(provider);
    if (!receiver) {
      webhookDeliveries.inc({ provider: 'unknown', outcome: 'rejected' });
      return { status: 404 };
    }
    const receive = async (deadline: Deadline) => {
      const { reply, deliveries } = await receiver.receive(request);
      if (deliveries.length === 0) {
        webhookDeliveries.inc({ provider, outcome: 'acknowledged' });
        return reply;
      }
      const { stored, duplicates } = await queue.ingest(provider, deliveries, deadline);
      if (stored.length > 0) webhookDeliveries.inc({ provider, outcome: 'stored' }, stored.length);
      if (duplicates > 0) webhookDeliveries.inc({ provider, outcome: 'duplicate' }, duplicates);
      return reply;
    };
    try {
      return await withDeadline(receive, timeoutMs);
    } catch (error) {
      if (error instanceof WebhookRejection) {
        webhookDeliveries.inc({ provider, outcome: 'rejected' });
        logger.info({ provider, status: error.status, reason: error.reason }, 'webhook rejected');
        return { status: error.status };
      }
      webhookDeliveries.inc({ provider, outcome: 'unavailable' });
      logger.error({ provider, err: (error as Error).message }, 'webhook not stored; asking the provider to retry');
      return { status: 503, headers: { 'retry-after': '5' } };
    }
  };
}
