import DataLoader from 'dataloader';
import type { WebhookEventPage, WebhookEventPageArgs } from '../../db/repositories/webhook-event.repository.js';
import type { GraphQLServices } from '../services.js';
import type { OrganizationScope } from './organization-scope.js';

export interface WebhookEventPageKey extends WebhookEventPageArgs {
  integrationId: string;
}

const argsKey = (key: WebhookEventPageArgs): string => JSON.stringify([key.first, key.after ?? null, key.status ?? null]);

/**
 * `Integration.webhookEvents` for every integration of a response at once. Keys that share
 * page arguments (the usual case: one selection over a list) become one `pageForIntegrations`
 * call, i.e. a constant number of statements however many integrations are listed.
 */
export function createWebhookEventPageLoader(services: GraphQLServices, scope: OrganizationScope) {
  return new DataLoader<WebhookEventPageKey, WebhookEventPage, string>(
    (keys) =>
      scope(async (em, organizationId) => {
        const groups = new Map<string, WebhookEventPageKey[]>();
        for (const key of keys) groups.set(argsKey(key), [...(groups.get(argsKey(key)) ?? []), key]);
        const pages = new Map<string, WebhookEventPage | Error>();
        for (const [signature, group] of groups) {
          const [first] = group as [WebhookEventPageKey];
          try {
            const byIntegration = await services.webhookEvents.pageForIntegrations(
              em,
              organizationId,
              group.map((key) => key.integrationId),
              first,
            );
            for (const key of group) pages.set(`${key.integrationId}|${signature}`, byIntegration.get(key.integrationId)!);
          } catch (error) {
            // A bad cursor or page size fails only the fields that asked for it.
            for (const key of group) pages.set(`${key.integrationId}|${signature}`, error as Error);
          }
        }
        return keys.map((key) => pages.get(`${key.integrationId}|${argsKey(key)}`)!);
      }),
    { cacheKeyFn: (key) => `${key.integrationId}|${argsKey(key)}` },
  );
}
