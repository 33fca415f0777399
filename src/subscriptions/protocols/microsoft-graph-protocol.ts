import { z } from 'zod';
import { generateRandomString } from '../../crypto/random-string.js';
import { parseProviderResponse } from '../../providers/clients/provider-response.js';
import { matchResource } from '../../providers/resource-pattern.js';
import { SubscriptionGoneError, SubscriptionRefusedError, type ProtocolContext, type ProtocolOutcome, type SubscriptionProtocol } from '../subscription-protocol.js';
import { bearer, hasStatus, isRefusal, providerMessage } from './provider-error.js';

/**
 * The longest lifetime Graph grants per resource, kept as data per resource pattern. From the
 * subscription resource's "subscription lifetime" table
 * (https://learn.microsoft.com/graph/api/resources/subscription#subscription-lifetime):
 * Outlook message, event and contact 10 080 minutes (under 7 days); Teams chatMessage 4 320
 * minutes (under 3 days), which needs a lifecycleNotificationUrl past one hour (we always send one).
 * Graph refuses a create or renewal asking for longer.
 */
export const GRAPH_RESOURCES: readonly { pattern: string; maxMinutes: number; changeType: string }[] = [
  { pattern: '/me/events', maxMinutes: 10_080, changeType: 'created,updated,deleted' },
  { pattern: '/me/messages', maxMinutes: 10_080, changeType: 'created,updated,deleted' },
  { pattern: "/me/mailFolders('{folderId}')/messages", maxMinutes: 10_080, changeType: 'created,updated,deleted' },
  { pattern: '/teams/{teamId}/channels/{channelId}/messages', maxMinutes: 4_320, changeType: 'created,updated,deleted' },
];

/** Asked for a little under the maximum: our clock and Graph's are not the same clock. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** clientState: at most 128 characters (https://learn.microsoft.com/graph/api/resources/subscription#properties). */
const CLIENT_STATE_LENGTH = 64;

const subscriptionSchema = z.looseObject({ id: z.string().min(1), expirationDateTime: z.string().min(1) });


function resourceSettings(resource: string): { maxMinutes: number; changeType: string } {
  const pattern = matchResource(
    GRAPH_RESOURCES.map((entry) => entry.pattern),
    resource,
  );
  const entry = GRAPH_RESOURCES.find((candidate) => candidate.pattern === pattern);
  if (!entry) throw new SubscriptionRefusedError(`"${resource}" is not a Microsoft Graph resource this service subscribes to`);
  return entry;
}

function expiry(context: ProtocolContext): Date {
  const { maxMinutes } = resourceSettings(context.subscription.resource);
  return new Date(context.now().getTime() + maxMinutes * 60_000 - CLOCK_SKEW_MS);
}

function parseExpiry(value: string, fallback: Date): Date {
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? fallback : parsed;
}

/** What Graph answered when it refused to create one, as an operator can act on it. */
function refusal(error: unknown, notificationUrl: string): SubscriptionRefusedError {
  const said = providerMessage(error);
  // Graph calls the notification URL with a validationToken before answering the create call
  // (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation);
  // when that fails the create is refused, and retrying before the URL is fixed would only repeat it.
  if (said && /validation/i.test(said)) {
    return new SubscriptionRefusedError(
      `Microsoft Graph could not validate the notification URL ${notificationUrl} (${said}); it must be reachable from the internet over HTTPS (check PUBLIC_URL)`,
    );
  }
  return new SubscriptionRefusedError(`Microsoft Graph refused the subscription${said ? `: ${said}` : ''}`);
}

/**
 * Microsoft Graph change notifications
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks): `POST
 * /subscriptions` with `notificationUrl` and `lifecycleNotificationUrl` both
 * `${PUBLIC_URL}/webhooks/microsoft` and a random `clientState` (the endpoint's secret, checked on
 * every notification); renewed by `PATCH expirationDateTime`; `POST /subscriptions/{id}/reauthorize`
 * answers `reauthorizationRequired`; `DELETE` stops it. A 404 on renewal means Graph no longer
 * has it (expired, or removed: `subscriptionRemoved`): it is created again.
 */
export function createMicrosoftGraphProtocol(): SubscriptionProtocol {
  const subscriptionUrl = (context: ProtocolContext, id: string) => `${context.apiBaseUrl}/subscriptions/${encodeURIComponent(id)}`;

  return {
    async create(context) {
      const { resource } = context.subscription;
      const { changeType } = resourceSettings(resource);
      const notificationUrl = `${context.publicUrl}/webhooks/microsoft`;
      const clientState = generateRandomString(CLIENT_STATE_LENGTH);
      const expiresAt = expiry(context);
      let body: unknown;
      try {
        body = await context.call(
          async (accessToken) =>
            (
              await context.http.send<unknown>({
                url: `${context.apiBaseUrl}/subscriptions`,
                method: 'POST',
                headers: bearer(accessToken),
                body: { changeType, notificationUrl, lifecycleNotificationUrl: notificationUrl, resource, expirationDateTime: expiresAt.toISOString(), clientState },
              })
            ).data,
        );
      } catch (error) {
        if (isRefusal(error)) throw refusal(error, notificationUrl);
        throw error;
      }
      const created = parseProviderResponse('microsoft', subscriptionSchema, body);
      await context.registerEndpoint({ externalId: created.id, secret: clientState });
      return { externalId: created.id, expiresAt: parseExpiry(created.expirationDateTime, expiresAt), state: {} };
    },

    async renew(context): Promise<ProtocolOutcome> {
      const id = context.subscription.externalId;
      if (!id) throw new SubscriptionGoneError('no Graph subscription id recorded');
      const expiresAt = expiry(context);
      try {
        const body = await context.call(
          async (accessToken) =>
            (await context.http.send<unknown>({ url: subscriptionUrl(context, id), method: 'PATCH', headers: bearer(accessToken), body: { expirationDateTime: expiresAt.toISOString() }, idempotent: true })).data,
        );
        const renewed = parseProviderResponse('microsoft', subscriptionSchema, body);
        return { externalId: id, expiresAt: parseExpiry(renewed.expirationDateTime, expiresAt), state: context.subscription.state };
      } catch (error) {
        if (hasStatus(error, 404)) throw new SubscriptionGoneError('Microsoft Graph no longer has the subscription');
        if (isRefusal(error)) {
          const said = providerMessage(error);
          throw new SubscriptionRefusedError(`Microsoft Graph refused the renewal${said ? `: ${said}` : ''}`);
        }
        throw error;
      }
    },

    /** https://learn.microsoft.com/graph/api/subscription-reauthorize: the token is refreshed first when it needs to be (withAccessToken). */
    async reauthorize(context) {
      const id = context.subscription.externalId;
      if (!id) throw new SubscriptionGoneError('no Graph subscription id recorded');
      try {
        await context.call((accessToken) => context.http.send({ url: `${subscriptionUrl(context, id)}/reauthorize`, method: 'POST', headers: bearer(accessToken), idempotent: true }));
      } catch (error) {
        if (hasStatus(error, 404)) throw new SubscriptionGoneError('Microsoft Graph no longer has the subscription');
        throw error;
      }
      return { externalId: id, expiresAt: context.subscription.expiresAt, state: context.subscription.state };
    },

    async stop(context) {
      const id = context.subscription.externalId;
      if (!id) return;
      try {
        await context.call((accessToken) => context.http.send({ url: subscriptionUrl(context, id), method: 'DELETE', headers: bearer(accessToken) }));
      } catch (error) {
        if (!hasStatus(error, 404)) throw error; // already gone: stopped
      }
    },
  };
}
