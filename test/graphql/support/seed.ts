import { randomUUID } from 'node:crypto';
import type { Database } from '../../../src/db/database.js';
import type { ProviderId } from '../../../src/providers/provider-ids.js';

export interface SeededIntegration {
  id: string;
  providerId: string;
  eventIds: string[];
}

const NAMES: Record<string, string> = { google: 'Google Workspace', slack: 'Slack', microsoft: 'Microsoft 365', asana: 'Asana' };

/**
 * Inserts integrations (with sealed-looking token values, to prove none is ever returned) and
 * their webhook events, newest last, under system access. Events get distinct, increasing
 * `created_at` so cursor order is deterministic.
 */
export async function seedIntegrations(
  database: Database,
  organizationId: string,
  specs: { providerId: ProviderId | string; status?: 'connected' | 'disconnected' | 'error'; events?: number; eventStatus?: (index: number) => string }[],
): Promise<SeededIntegration[]> {
  return database.asSystem(async (em) => {
    const seeded: SeededIntegration[] = [];
    for (const spec of specs) {
      const id = randomUUID();
      await em.execute(
        `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, refresh_token,
           scopes, metadata, connected_by, connected_at, error_message, token_expires_at)
         values (?, ?, ?, ?, ?, 'SEALED-ACCESS-TOKEN', 'SEALED-REFRESH-TOKEN', ?::text[], ?::jsonb, 'user-1', now(), ?, now() + interval '1 hour')`,
        [
          id,
          organizationId,
          spec.providerId,
          NAMES[spec.providerId] ?? spec.providerId,
          spec.status ?? 'connected',
          '{openid,email}',
          JSON.stringify({ team: `${spec.providerId}-team` }),
          spec.status === 'error' ? 'the provider refused the token' : null,
        ],
      );
      const eventIds: string[] = [];
      const count = spec.events ?? 0;
      for (let index = 0; index < count; index++) {
        const eventId = randomUUID();
        await em.execute(
          `insert into webhook_events (id, organization_id, integration_id, provider, event_type, payload, status, created_at)
           values (?, ?, ?, ?, ?, ?::jsonb, ?, now() - make_interval(secs => ?))`,
          [eventId, organizationId, id, spec.providerId, 'message.created', JSON.stringify({ index }), spec.eventStatus?.(index) ?? 'pending', count - index],
        );
        eventIds.push(eventId);
      }
      seeded.push({ id, providerId: spec.providerId, eventIds });
    }
    return seeded;
  });
}
