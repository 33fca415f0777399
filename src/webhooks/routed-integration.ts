/** The integration a verified delivery belongs to: what the event row is stored under. */
export interface RoutedIntegration {
  integrationId: string;
  organizationId: string;
}

/** One verified event, ready to be stored. */
export interface VerifiedDelivery extends RoutedIntegration {
  eventType: string;
  payload: Record<string, unknown>;
  /**
   * The provider's id for this delivery (or a digest of it when the provider has none). A
   * re-delivery carries the same id and is acknowledged without being stored again.
   */
  deliveryId: string;
  /** The provider subscription it came through (src/subscriptions), when there is one. */
  subscriptionId?: string | null;
}
