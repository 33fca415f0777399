import { registerEnumType } from 'type-graphql';

/** GraphQL names in upper case; the values are the database's, so rows map without translation. */
export enum ProviderSubscriptionStatus {
  PENDING = 'pending',
  ACTIVE = 'active',
  FAILED = 'failed',
  EXPIRED = 'expired',
  STOPPED = 'stopped',
}

registerEnumType(ProviderSubscriptionStatus, {
  name: 'ProviderSubscriptionStatus',
  valuesConfig: {
    PENDING: { description: 'Being created at the provider (a handshake may be pending).' },
    ACTIVE: { description: 'The provider will deliver notifications for the resource; renewed before it expires.' },
    FAILED: { description: 'Creation or renewal keeps failing; the service retries with backoff and says why in lastError.' },
    EXPIRED: { description: 'It lapsed at the provider (renewal came too late or the provider removed it); the service re-creates it.' },
    STOPPED: { description: 'Removed on request or because the integration was disconnected; nothing more arrives.' },
  },
});
