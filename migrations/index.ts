import { Migration20261124000000Initial } from './Migration20261124000000_initial.js';
import { Migration20261124010000WebhookEndpoints } from './Migration20261124010000_webhook_endpoints.js';
import { Migration20261205000000ProviderSubscriptions } from './Migration20261205000000_provider_subscriptions.js';
import { Migration20261205100000ConnectionParams } from './Migration20261205100000_connection_params.js';
import { Migration20261207000000RowVersions } from './Migration20261207000000_row_versions.js';

/**
 * Every migration, in order. Listed explicitly (MikroORM `migrationsList`) rather than found
 * by a glob, so the same list runs from TypeScript sources, under jest and in production.
 */
export const migrations = [
  Migration20261124000000Initial,
  Migration20261124010000WebhookEndpoints,
  Migration20261205000000ProviderSubscriptions,
  Migration20261205100000ConnectionParams,
  Migration20261207000000RowVersions,
];
