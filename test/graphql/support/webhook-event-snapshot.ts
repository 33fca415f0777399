import { randomUUID } from 'node:crypto';
import type { WebhookEventSnapshot } from '../../../src/pubsub/topics.js';

/** A new event's snapshot (version 1), as the worker would publish it. */
export const webhookEventSnapshot = (organizationId: string, integrationId: string, status: WebhookEventSnapshot['status']): WebhookEventSnapshot => ({
  id: randomUUID(),
  organizationId,
  integrationId,
  provider: 'google',
  eventType: 'calendar.changed',
  payload: { n: 1 },
  status,
  attempts: 1,
  errorMessage: null,
  processedAt: null,
  createdAt: new Date().toISOString(),
  version: 1,
});
