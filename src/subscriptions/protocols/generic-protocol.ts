import { generateRandomString } from '../../crypto/random-string.js';
import { apiRequestHeaders } from '../../providers/api-request.js';
import { IntegrationError, IntegrationErrorCode } from '../../providers/integration-error.js';
import { readText } from '../../providers/json-path.js';
import type { ProviderDefinition } from '../../providers/provider-definition.js';
import type { ResolvedProvider } from '../../providers/resolve-provider.js';
import { fillTemplate, wholePlaceholderOf } from '../../providers/url-template.js';
import { SubscriptionGoneError, SubscriptionRefusedError, type ProtocolContext, type ProtocolOutcome, type SubscriptionProtocol } from '../subscription-protocol.js';
import { hasStatus, isRefusal, providerMessage } from './provider-error.js';

export type SubscriptionApi = NonNullable<ProviderDefinition['subscriptionApi']>;
type SubscriptionRequest = SubscriptionApi['create'];

/** The random endpoint id in the webhook URL: routes deliveries to the endpoint row holding the secret. */
const HOOK_LENGTH = 32;

interface GenericState {
  hook?: string;
}

/** Replaces string values that are exactly one `{placeholder}` by its value, at any depth. */
function fillBody(value: unknown, values: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    const name = wholePlaceholderOf(value);
    return name !== undefined && values[name] !== undefined ? values[name] : value;
  }
  if (Array.isArray(value)) return value.map((item) => fillBody(item, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillBody(item, values)]));
  return value;
}

/** An answer without what the entry says it holds: the provider's fault. */
const invalidAnswer = (providerId: string, message: string): IntegrationError =>
  new IntegrationError(`${providerId} answered ${message}`, {
    service: providerId,
    code: IntegrationErrorCode.PROVIDER_RESPONSE_INVALID,
    kind: 'INVALID_RESPONSE',
    providerFault: true,
  });

function required(providerId: string, answer: unknown, path: string, what: string): string {
  const value = readText(answer, path);
  if (value === undefined) throw invalidAnswer(providerId, `without the subscription's ${what} (at ${path || 'body'})`);
  return value;
}

function readExpiry(providerId: string, api: SubscriptionApi, answer: unknown): Date | null {
  const path = api.response.expiresAt;
  if (path === undefined) return null;
  const expiresAt = new Date(required(providerId, answer, path, 'expiry'));
  if (Number.isNaN(expiresAt.getTime())) throw invalidAnswer(providerId, `an expiry that is not an ISO 8601 time (at ${path})`);
  return expiresAt;
}

/**
 * The subscription protocol of an entry's `subscriptionApi`: a provider whose webhook
 * subscriptions are REST calls needs no code. Create makes a random endpoint id first and
 * checkpoints it (write-ahead, like Asana's hook), sends `{webhookUrl}` =
 * `${PUBLIC_URL}/webhooks/<provider>/<endpoint id>`, and registers the endpoint with the secret
 * the answer holds (sealed by the store); deliveries are Standard Webhooks verified with it.
 * Renew answers a new expiry; a 404 or 410 there means the provider no longer has it (created
 * again); stop treats them as already stopped.
 */
export function createGenericProtocol(provider: ResolvedProvider, api: SubscriptionApi): SubscriptionProtocol {
  const providerId = provider.id;
  const send = async (context: ProtocolContext, request: SubscriptionRequest, values: Record<string, string>): Promise<unknown> => {
    const url = `${context.apiBaseUrl}${fillTemplate(request.path, values)}`;
    const body = request.body === undefined ? undefined : fillBody(request.body, values);
    return context.call(
      async (accessToken) =>
        (await context.http.send<unknown>({ url, method: request.method, headers: apiRequestHeaders(provider, accessToken), ...(body !== undefined && { body }), idempotent: request.method !== 'POST' })).data,
    );
  };
  const refused = (error: unknown, what: string): unknown => {
    if (!isRefusal(error)) return error;
    const said = providerMessage(error);
    return new SubscriptionRefusedError(`${providerId} refused the ${what}${said ? `: ${said}` : ''}`);
  };
  const isGone = (error: unknown): boolean => hasStatus(error, 404) || hasStatus(error, 410);
  const valuesOf = (context: ProtocolContext): Record<string, string> => {
    const { hook } = context.subscription.state as GenericState;
    return {
      resource: context.subscription.resource,
      ...(hook && { webhookUrl: `${context.publicUrl}/webhooks/${providerId}/${hook}` }),
      ...(context.subscription.externalId && { id: context.subscription.externalId }),
    };
  };

  return {
    async create(context): Promise<ProtocolOutcome> {
      const hook = generateRandomString(HOOK_LENGTH);
      await context.checkpoint({ hook });
      let answer: unknown;
      try {
        answer = await send(context, api.create, { resource: context.subscription.resource, webhookUrl: `${context.publicUrl}/webhooks/${providerId}/${hook}` });
      } catch (error) {
        throw refused(error, 'subscription');
      }
      const externalId = required(providerId, answer, api.response.id, 'id');
      const secret = required(providerId, answer, api.response.secret, 'secret');
      await context.registerEndpoint({ externalId: hook, secret });
      return { externalId, expiresAt: readExpiry(providerId, api, answer), state: { hook } };
    },

    async renew(context): Promise<ProtocolOutcome> {
      const id = context.subscription.externalId;
      if (!id) throw new SubscriptionGoneError(`no ${providerId} subscription id recorded`);
      let answer: unknown;
      try {
        answer = await send(context, api.renew, valuesOf(context));
      } catch (error) {
        if (isGone(error)) throw new SubscriptionGoneError(`${providerId} no longer has the subscription`);
        throw refused(error, 'renewal');
      }
      return { externalId: id, expiresAt: readExpiry(providerId, api, answer), state: context.subscription.state };
    },

    async stop(context) {
      if (!context.subscription.externalId) return;
      try {
        await send(context, api.stop, valuesOf(context));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    },
  };
}
