/**
 * Lifecycle notifications a provider sends about a subscription rather than about data
 * (Microsoft Graph: https://learn.microsoft.com/graph/change-notifications-lifecycle-events).
 */
export type SubscriptionSignal = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export const isSubscriptionSignal = (value: unknown): value is SubscriptionSignal =>
  value === 'reauthorizationRequired' || value === 'subscriptionRemoved' || value === 'missed';

/**
 * Where a receiver hands verified lifecycle notifications (src/subscriptions): they drive the
 * subscription's scheduler instead of becoming events of the organization. Resolves once the
 * signal is durable, before the provider is acknowledged.
 */
export interface SubscriptionSignals {
  signal(subscriptionId: string, signal: SubscriptionSignal): Promise<void>;
}
