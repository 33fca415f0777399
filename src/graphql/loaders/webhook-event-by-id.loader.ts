import DataLoader from 'dataloader';
import type { WebhookEventRow } from '../../db/repositories/webhook-event-row.js';
import type { GraphQLServices } from '../services.js';
import type { OrganizationScope } from './organization-scope.js';

/** Webhook events by id (federation `_entities`), one statement per batch. */
export function createWebhookEventByIdLoader(services: GraphQLServices, scope: OrganizationScope) {
  return new DataLoader<string, WebhookEventRow | null>(async (ids) => {
    const rows = await scope((em, organizationId) => services.webhookEvents.findByIds(em, organizationId, ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}
