import { registerEnumType } from 'type-graphql';

/** GraphQL names in upper case; the values are the database's, so rows map without translation. */
export enum IntegrationStatus {
  CONNECTED = 'connected',
  DISCONNECTED = 'disconnected',
  ERROR = 'error',
}

registerEnumType(IntegrationStatus, { name: 'IntegrationStatus' });
