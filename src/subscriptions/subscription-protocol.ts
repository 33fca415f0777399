import type { ResilientHttpClient } from '../resilience/resilient-http-client.js';
import type { ProtocolState, ProviderSubscriptionRow } from '../db/repositories/provider-subscription-row.js';

/** A routing row of the webhook receivers (`webhook_endpoints`), linked to the subscription. */
export interface EndpointRegistration {
  /** What the provider names the channel by in its deliveries (Graph subscription id, Google channel id, Asana hook token). */
  externalId: string;
  /** The secret the provider proves knowledge of; omitted (null) when it arrives in a handshake (Asana). */
  secret?: string | null;
  /** After this, the receivers stop routing it. */
  expiresAt?: Date | null;
}

/**
 * What a protocol works with while the scheduler holds the subscription's lease. Every write is
 * fenced by the lease: once another instance has taken the subscription over, `checkpoint` and
 * the endpoint methods throw `LeaseLostError`, so a provider call is never made on behalf of a
 * claim that is no longer ours.
 */
export interface ProtocolContext {
  readonly subscription: Readonly<ProviderSubscriptionRow>;
  /** The scheduler's clock (tests move it). */
  now(): Date;
  /** `PUBLIC_URL`: where providers deliver (`${publicUrl}/webhooks/<provider>`). */
  readonly publicUrl: string;
  /** The provider's API base URL for this deployment (`<PROVIDER>_API_BASE_URL`). */
  readonly apiBaseUrl: string;
  /** The provider's resilient client (its circuit breaker; one attempt per call: the scheduler retries). */
  readonly http: ResilientHttpClient;
  /**
   * Runs one provider request with a valid access token for the integration (refreshed first
   * when needed, and once more after a 401), paced to the provider's shared rate.
   */
  call<T>(request: (accessToken: string) => Promise<T>): Promise<T>;
  /**
   * Write-ahead: stores protocol state before a provider effect (and extends the lease), so an
   * instance that takes over after a crash knows what may already exist at the provider.
   */
  checkpoint(state: ProtocolState): Promise<void>;
  /** Makes a channel routable (before the provider call that may deliver to it: Google's `sync`, Asana's handshake). */
  registerEndpoint(endpoint: EndpointRegistration): Promise<void>;
  /** Stops routing a channel (after the provider stopped it, or when it is known dead). */
  removeEndpoint(externalId: string): Promise<void>;
  /** The integration's other live subscriptions of this provider (Gmail keeps one watch per mailbox for all its labels). */
  siblings(): Promise<readonly Pick<ProviderSubscriptionRow, 'id' | 'resource' | 'state'>[]>;
}

/** Where a create, renewal or check leaves the subscription. */
export interface ProtocolOutcome {
  /** The provider's id for it. */
  externalId: string | null;
  /** When the provider stops delivering unless renewed; null when it sets no expiry (Asana). */
  expiresAt: Date | null;
  state: ProtocolState;
  /**
   * When to act next and how. @default renew a safe margin before `expiresAt`
   * (see `renewalTime`), or, without an expiry, check again after the reconcile interval
   */
  next?: { action: 'renew' | 'check'; at: Date };
}

/**
 * One provider's subscription lifecycle. The scheduler owns timing, leases, retries, backoff,
 * statuses and publishing; a protocol only talks to the provider. A protocol throws
 * `IntegrationError`s as the resilient client raises them, `SubscriptionGoneError` when the
 * provider no longer has the subscription, and `SubscriptionRefusedError` for a refusal that
 * retrying will not change.
 *
 * A provider described by data (an entry's `subscriptionApi`: create by POST returning an id,
 * expiry and secret, renew by PATCH, stop by DELETE) is run by `createGenericProtocol`, one more
 * implementation of this interface, registered by provider id.
 */
export interface SubscriptionProtocol {
  /**
   * Refuses a resource this deployment cannot subscribe to although it fits a pattern (Gmail
   * without `GOOGLE_PUBSUB_TOPIC`): returns the reason, shown as BAD_USER_INPUT.
   */
  unavailable?(resource: string): string | undefined;
  create(context: ProtocolContext): Promise<ProtocolOutcome>;
  renew(context: ProtocolContext): Promise<ProtocolOutcome>;
  /** The provider asked for proof that we may still receive its data (Graph `reauthorizationRequired`). @default renew */
  reauthorize?(context: ProtocolContext): Promise<ProtocolOutcome>;
  /** Verifies the subscription still exists at the provider (Asana deletes webhooks on its own). @default renew */
  check?(context: ProtocolContext): Promise<ProtocolOutcome>;
  /** Removes it at the provider; a subscription the provider no longer has counts as stopped. */
  stop(context: ProtocolContext): Promise<void>;
}

/** The provider does not have the subscription any more (expired, or removed on its side): it is created again. */
export class SubscriptionGoneError extends Error {
  override readonly name = 'SubscriptionGoneError';
}

/**
 * The provider refused in a way retrying soon will not fix (Graph could not validate the
 * notification URL, a resource that does not exist): the subscription is FAILED at once with
 * this message and retried slowly.
 */
export class SubscriptionRefusedError extends Error {
  override readonly name = 'SubscriptionRefusedError';
}

/** Another instance took the subscription over (this one's lease expired): stop without touching it. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}
