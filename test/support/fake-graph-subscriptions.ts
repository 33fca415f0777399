import { createHash, randomUUID } from 'node:crypto';
import type { BearerTokens } from './fake-bearer-tokens.js';
import { callbackUrlProblem, type CallbackUrlPolicy } from './fake-callback-url.js';
import { MINUTE } from './fake-clock.js';
import { deliver, type Delivery, type DeliveryContext } from './fake-delivery.js';
import { graphError } from './fake-graph-errors.js';
import { contentType, type FakeProviderServer, type FakeResponse, type RecordedRequest } from './fake-provider-server.js';
import { graphResourceKind, type GraphResourceKind } from './graph-subscription-lifetimes.js';

export const GRAPH_TENANT_ID = '84fb4e0c-ae3b-4b8d-9b8a-3c2b1d5e7f10';
export const GRAPH_APPLICATION_ID = '24d3b144-21ae-4080-943f-7067b395b913';
/** The user id of the `default` principal (the `/me` of the other Graph routes). */
export const GRAPH_DEFAULT_USER_ID = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';

/** A subscription as the fake holds it. */
export interface GraphSubscription {
  id: string;
  principal: string;
  resource: string;
  kind: GraphResourceKind;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | undefined;
  clientState: string | undefined;
  /** Epoch ms on the fake clock. */
  expiresAt: number;
  includeResourceData: boolean;
  /** A `reauthorizationRequired` was sent and not yet answered by reauthorize or PATCH: change notifications are held. */
  reauthorizationRequired: boolean;
  /** Fake-clock times of the last reauthorize and PATCH, to spot both within ten minutes. */
  lastReauthorizeAt?: number;
  lastPatchAt?: number;
}

export type GraphLifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

/** One change to notify: the subscription it is for, and what changed. */
export interface GraphChange {
  subscriptionId: string;
  /** @default the first change type the subscription asked for */
  changeType?: string;
  /** Id of the changed item. @default a new id */
  itemId?: string;
}

export interface GraphSubscriptionsOptions {
  tokens: BearerTokens;
  /** Outbound requests (validations, notifications) go through this context. */
  delivery: DeliveryContext;
  /** @default GRAPH_TENANT_ID */
  tenantId?: string;
  /**
   * How long Graph waits for the validation answer, in real milliseconds.
   * https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks#notificationurl-validation
   * @default 10000
   */
  validationTimeoutMs?: number;
  /**
   * How long a notification waits for its answer: "If Microsoft Graph doesn't receive a 2xx class
   * code within 3 seconds, it tries to resend the change notification" (its HTTP client has a
   * 3-second timeout). https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks
   * @default 3000
   */
  notificationTimeoutMs?: number;
  callbackUrls?: CallbackUrlPolicy;
}

/** What a test drives the subscriptions with. */
export interface GraphSubscriptionsController {
  /** Live subscriptions (not expired on the fake clock, not deleted or removed), by id. */
  readonly subscriptions: ReadonlyMap<string, GraphSubscription>;
  /** Deliveries the fake made: validations, change and lifecycle notifications. */
  readonly deliveries: Delivery[];
  get(id: string): GraphSubscription | undefined;
  /**
   * Sends change notifications, batched in one `value` array per notification URL. Changes for
   * subscriptions that are gone are skipped, and so are those held by an unanswered
   * `reauthorizationRequired` (Graph pauses them). Resolves with one delivery per URL.
   */
  notify(changes: readonly GraphChange[]): Promise<Delivery[]>;
  /**
   * Sends a lifecycle notification to the subscription's `lifecycleNotificationUrl`; a
   * subscription without one receives none (undefined). `subscriptionRemoved` removes the
   * subscription first; `reauthorizationRequired` holds its change notifications until
   * `POST /subscriptions/{id}/reauthorize` or a PATCH.
   */
  lifecycle(subscriptionId: string, event: GraphLifecycleEvent): Promise<Delivery | undefined>;
}

const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);
/** https://learn.microsoft.com/en-us/graph/api/resources/subscription#properties: "The maximum length is 128 characters." */
const MAX_CLIENT_STATE = 128;
/** "Any value under 45 minutes after the time of the request is automatically set to 45 minutes after the request time." */
const MIN_MINUTES = 45;
/** https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events: reauthorize and PATCH not within 10 minutes. */
const REAUTHORIZE_PATCH_GAP = 10 * MINUTE;

/**
 * Microsoft Graph change-notification subscriptions (`/v1.0/subscriptions`) on a fake Graph:
 * https://learn.microsoft.com/en-us/graph/api/resources/subscription
 *
 * - `POST` checks the body (changeType, resource against Graph's table of resources, https
 *   notificationUrl, expirationDateTime within the resource's maximum lifetime, clientState of
 *   at most 128 characters, lifecycleNotificationUrl for Teams resources past an hour) and then,
 *   **before answering**, POSTs `?validationToken=…` to the notificationUrl and to the
 *   lifecycleNotificationUrl, each of which must answer 200, text/plain, the decoded token
 *   exactly, within 10 s; otherwise the create call is answered 400 as Graph does.
 * - A too-far expiry is refused (400 `ExtensionError` "Subscription expiration can only be N
 *   minutes in the future."), one under 45 minutes is raised to 45.
 * - `PATCH /subscriptions/{id}` renews (and reauthorizes); `DELETE` answers 204; `GET` reads;
 *   `POST /subscriptions/{id}/reauthorize` answers 204. An expired subscription is gone: 404.
 */
export function installGraphSubscriptions(server: FakeProviderServer, options: GraphSubscriptionsOptions): GraphSubscriptionsController {
  const { tokens, delivery } = options;
  const clock = server.clock;
  const tenantId = options.tenantId ?? GRAPH_TENANT_ID;
  const all = new Map<string, GraphSubscription>();
  const unauthorized = graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
  const notFound = graphError(404, 'ResourceNotFound', 'The object was not found.');
  const invalid = (message: string): FakeResponse => graphError(400, 'InvalidRequest', message);

  const live = (): Map<string, GraphSubscription> => {
    for (const [id, subscription] of all) if (subscription.expiresAt <= clock.now()) all.delete(id);
    return all;
  };
  const owned = (request: RecordedRequest, id: string | undefined): GraphSubscription | undefined => {
    const subscription = id === undefined ? undefined : live().get(id);
    return subscription && subscription.principal === tokens.principalOf(request.headers) ? subscription : undefined;
  };

  /** The expiry Graph would set, or the refusal. */
  const expiry = (value: unknown, kind: GraphResourceKind, includeResourceData: boolean): number | FakeResponse => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return invalid('expirationDateTime is a required property for subscription creation.');
    const maxMinutes = (includeResourceData ? kind.maxMinutesWithResourceData : undefined) ?? kind.maxMinutes;
    const asked = Date.parse(value);
    if (asked > clock.now() + maxMinutes * MINUTE) return graphError(400, 'ExtensionError', `Subscription expiration can only be ${maxMinutes} minutes in the future.`);
    return Math.max(asked, clock.now() + MIN_MINUTES * MINUTE);
  };

  /** Graph's validation of one endpoint: undefined when it passed, else the create call's answer. */
  const validate = async (url: string): Promise<FakeResponse | undefined> => {
    // Graph's tokens are opaque text with spaces and colons, so only a receiver that URL-decodes the query echoes them right.
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    const answer = await deliver(delivery, {
      kind: 'validation',
      url: target.toString(),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      timeoutMs: options.validationTimeoutMs ?? 10_000,
    });
    if (answer.error === 'timeout') return invalid('Subscription validation request timed out.');
    if (answer.status !== 200) {
      return graphError(400, 'ValidationError', 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    }
    const type = (answer.responseHeaders['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/plain' || answer.responseText !== token) {
      return graphError(400, 'ValidationError', 'Subscription validation request failed. Response must exactly match validationToken query parameter.');
    }
    return undefined;
  };

  const representation = (subscription: GraphSubscription): Record<string, unknown> => ({
    id: subscription.id,
    resource: subscription.resource,
    applicationId: GRAPH_APPLICATION_ID,
    changeType: subscription.changeType,
    clientState: subscription.clientState ?? null,
    notificationUrl: subscription.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
    expirationDateTime: graphDateTime(subscription.expiresAt),
    creatorId: userIdOf(subscription.principal),
    includeResourceData: subscription.includeResourceData,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  });

  server.route('POST', '/v1.0/subscriptions', async (request, check) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthorized;
    check(contentType(request) === 'application/json', 'a subscription is JSON');
    const body = request.json() as Record<string, unknown>;
    const changeTypes = typeof body.changeType === 'string' ? body.changeType.split(',').map((type) => type.trim()) : [];
    if (changeTypes.length === 0 || !changeTypes.every((type) => CHANGE_TYPES.has(type))) {
      return invalid(`changeType must be a comma-separated list of created, updated, deleted; got ${JSON.stringify(body.changeType)}.`);
    }
    if (typeof body.resource !== 'string') return invalid('resource is a required property for subscription creation.');
    const kind = graphResourceKind(body.resource);
    if (!kind) return invalid(`Resource '${body.resource}' is not supported for change notifications.`);
    const unsupported = changeTypes.filter((type) => kind.changeTypes && !kind.changeTypes.includes(type));
    if (unsupported.length > 0) return invalid(`ChangeType '${unsupported.join(',')}' is not supported for resource '${body.resource}'.`);
    const notificationProblem = callbackUrlProblem(body.notificationUrl, options.callbackUrls);
    if (notificationProblem) return invalid(`notificationUrl ${notificationProblem}`);
    const lifecycleUrl = body.lifecycleNotificationUrl;
    if (lifecycleUrl !== undefined && lifecycleUrl !== null) {
      const problem = callbackUrlProblem(lifecycleUrl, options.callbackUrls);
      if (problem) return invalid(`lifecycleNotificationUrl ${problem}`);
    }
    if (body.clientState !== undefined && body.clientState !== null && (typeof body.clientState !== 'string' || body.clientState.length > MAX_CLIENT_STATE)) {
      return invalid(`clientState must be a string of at most ${MAX_CLIENT_STATE} characters.`);
    }
    const includeResourceData = body.includeResourceData === true;
    if (includeResourceData && typeof body.encryptionCertificate !== 'string') return invalid('encryptionCertificate is required when includeResourceData is true.');
    const expiresAt = expiry(body.expirationDateTime, kind, includeResourceData);
    if (typeof expiresAt !== 'number') return expiresAt;
    if (kind.teams && typeof lifecycleUrl !== 'string' && expiresAt > clock.now() + 60 * MINUTE) {
      return invalid('lifecycleNotificationUrl is required for Teams resources when expirationDateTime is more than 1 hour from now.');
    }
    for (const url of [body.notificationUrl as string, ...(typeof lifecycleUrl === 'string' ? [lifecycleUrl] : [])]) {
      const refusal = await validate(url);
      if (refusal) return refusal;
    }
    const subscription: GraphSubscription = {
      id: randomUUID(),
      principal,
      resource: body.resource,
      kind,
      changeType: changeTypes.join(','),
      notificationUrl: body.notificationUrl as string,
      lifecycleNotificationUrl: typeof lifecycleUrl === 'string' ? lifecycleUrl : undefined,
      clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
      expiresAt,
      includeResourceData,
      reauthorizationRequired: false,
    };
    all.set(subscription.id, subscription);
    return { status: 201, json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity', ...representation(subscription) } };
  });

  server.route('GET', '/v1.0/subscriptions', (request) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthorized;
    const value = [...live().values()].filter((subscription) => subscription.principal === principal).map(representation);
    return { json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions', value } };
  });

  server.route('GET', '/v1.0/subscriptions/:id', (request, _check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthorized;
    const subscription = owned(request, params.id);
    return subscription ? { json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity', ...representation(subscription) } } : notFound;
  });

  server.route('PATCH', '/v1.0/subscriptions/:id', async (request, check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthorized;
    const subscription = owned(request, params.id);
    if (!subscription) return notFound;
    check(contentType(request) === 'application/json', 'a subscription update is JSON');
    const body = request.json() as Record<string, unknown>;
    if (body.expirationDateTime === undefined && body.notificationUrl === undefined) {
      return invalid("Subscription must contain either the 'expirationDateTime' or 'notificationUrl' property and its value.");
    }
    let expiresAt = subscription.expiresAt;
    if (body.expirationDateTime !== undefined) {
      const renewed = expiry(body.expirationDateTime, subscription.kind, subscription.includeResourceData);
      if (typeof renewed !== 'number') return renewed;
      expiresAt = renewed;
    }
    if (body.notificationUrl !== undefined && body.notificationUrl !== subscription.notificationUrl) {
      const problem = callbackUrlProblem(body.notificationUrl, options.callbackUrls);
      if (problem) return invalid(`notificationUrl ${problem}`);
      const refusal = await validate(body.notificationUrl as string);
      if (refusal) return refusal;
      subscription.notificationUrl = body.notificationUrl as string;
    }
    if (subscription.lastReauthorizeAt !== undefined && clock.now() - subscription.lastReauthorizeAt < REAUTHORIZE_PATCH_GAP) {
      server.violations.push(`PATCH /v1.0/subscriptions/${subscription.id}: within 10 minutes of a reauthorize (Graph documents state inconsistencies)`);
    }
    subscription.expiresAt = expiresAt;
    subscription.reauthorizationRequired = false;
    subscription.lastPatchAt = clock.now();
    return { json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity', ...representation(subscription) } };
  });

  server.route('DELETE', '/v1.0/subscriptions/:id', (request, _check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthorized;
    const subscription = owned(request, params.id);
    if (!subscription) return notFound;
    all.delete(subscription.id);
    return { status: 204 };
  });

  server.route('POST', '/v1.0/subscriptions/:id/reauthorize', (request, _check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthorized;
    const subscription = owned(request, params.id);
    if (!subscription) return notFound;
    if (subscription.lastPatchAt !== undefined && clock.now() - subscription.lastPatchAt < REAUTHORIZE_PATCH_GAP) {
      server.violations.push(`POST /v1.0/subscriptions/${subscription.id}/reauthorize: within 10 minutes of a PATCH (Graph documents state inconsistencies)`);
    }
    subscription.reauthorizationRequired = false;
    subscription.lastReauthorizeAt = clock.now();
    return { status: 204 };
  });

  const post = (url: string, kind: string, value: unknown[]): Promise<Delivery> =>
    deliver(delivery, {
      kind,
      url,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ value }),
      timeoutMs: options.notificationTimeoutMs ?? 3_000,
    });

  return {
    get subscriptions() {
      return live();
    },
    deliveries: delivery.deliveries,
    get: (id) => live().get(id),
    async notify(changes) {
      const batches = new Map<string, unknown[]>();
      for (const change of changes) {
        const subscription = live().get(change.subscriptionId);
        if (!subscription || subscription.reauthorizationRequired) continue;
        const itemId = change.itemId ?? `AAMkAGI2${randomUUID().replace(/-/g, '').slice(0, 20)}`;
        const item = subscription.kind.item;
        // Graph names the changed item by the user's id, not `me`, and in its own casing.
        const path = item ? `Users/${userIdOf(subscription.principal)}/${item.segment}/${itemId}` : `${subscription.resource.replace(/^\//, '')}/${itemId}`;
        const batch = batches.get(subscription.notificationUrl) ?? [];
        batch.push({
          id: randomUUID(),
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: graphDateTime(subscription.expiresAt),
          changeType: change.changeType ?? subscription.changeType.split(',')[0],
          resource: path,
          resourceData: { '@odata.type': item?.odataType ?? '#Microsoft.Graph.Entity', '@odata.id': path, '@odata.etag': `W/"${itemId.slice(-8)}"`, id: itemId },
          ...(subscription.clientState !== undefined ? { clientState: subscription.clientState } : {}),
          tenantId,
        });
        batches.set(subscription.notificationUrl, batch);
      }
      return Promise.all([...batches].map(([url, value]) => post(url, 'notification', value)));
    },
    async lifecycle(subscriptionId, event) {
      const subscription = live().get(subscriptionId);
      if (!subscription?.lifecycleNotificationUrl) return undefined;
      if (event === 'subscriptionRemoved') all.delete(subscription.id);
      if (event === 'reauthorizationRequired') subscription.reauthorizationRequired = true;
      return post(subscription.lifecycleNotificationUrl, event, [
        {
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: graphDateTime(subscription.expiresAt),
          tenantId,
          ...(subscription.clientState !== undefined ? { clientState: subscription.clientState } : {}),
          lifecycleEvent: event,
        },
      ]);
    },
  };
}

/** Graph writes seven fractional digits: "2016-11-20T18:23:45.9356913Z". */
function graphDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '0000Z');
}

/** The Graph user id of a principal: the fake's `/me` for `default`, a stable GUID for the others. */
export function userIdOf(principal: string): string {
  if (principal === 'default') return GRAPH_DEFAULT_USER_ID;
  const hex = createHash('sha256').update(principal).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
