import type { WebhookHandler } from './webhook-handler.js';

/**
 * Handlers by provider and event type. An event with no handler completes (nothing to do) and
 * still counts as a sync. `'*'` as the event type matches every event of the provider.
 */
export class WebhookHandlerRegistry {
  private readonly handlers = new Map<string, WebhookHandler[]>();

  on(provider: string, eventType: string, handler: WebhookHandler): this {
    const key = `${provider}\u0000${eventType}`;
    this.handlers.set(key, [...(this.handlers.get(key) ?? []), handler]);
    return this;
  }

  /** Whether any handler is registered for the event (events without one need no transaction of their own). */
  readonly handles = (provider: string, eventType: string): boolean =>
    this.handlers.has(`${provider}\u0000${eventType}`) || this.handlers.has(`${provider}\u0000*`);

  /** The dispatcher, usable as `queue.process(registry.handle)`. Handlers run in registration order. */
  readonly handle: WebhookHandler = async (webhook, context) => {
    const matching = [
      ...(this.handlers.get(`${webhook.provider}\u0000${webhook.event}`) ?? []),
      ...(this.handlers.get(`${webhook.provider}\u0000*`) ?? []),
    ];
    for (const handler of matching) await handler(webhook, context);
  };
}

/**
 * A deployment's own webhook handlers (the seed's `queue.process(handler)`), registered beside the
 * built-in ones: `(handlers) => handlers.on('slack', 'message', handleSlackMessage)`. Give the
 * same setup to `createApp` and to every standalone worker (`startWebhookWorker`): an event a
 * worker has no handler for completes without one.
 */
export type WebhookHandlerSetup = (handlers: WebhookHandlerRegistry) => void;
