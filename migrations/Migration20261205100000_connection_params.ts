import { Migration } from '@mikro-orm/migrations';

/**
 * A connection's params (the values that fill a provider entry's `{placeholders}`: a Zendesk
 * subdomain the user gave, a Salesforce instance URL the token response taught us). Kept with
 * the pending OAuth state between `startConnection` and the callback, then with the integration
 * for every later token refresh, revocation and API call. Not secret: plain JSON.
 */
export class Migration20261205100000ConnectionParams extends Migration {
  override name = 'Migration20261205100000_connection_params';

  override up(): void {
    this.addSql(`ALTER TABLE oauth_states ADD COLUMN connection_params jsonb NOT NULL DEFAULT '{}'::jsonb;`);
    this.addSql(`ALTER TABLE integrations ADD COLUMN connection_params jsonb NOT NULL DEFAULT '{}'::jsonb;`);
  }

  override down(): void {
    this.addSql(`ALTER TABLE integrations DROP COLUMN connection_params;`);
    this.addSql(`ALTER TABLE oauth_states DROP COLUMN connection_params;`);
  }
}
