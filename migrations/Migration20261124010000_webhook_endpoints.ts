import { Migration } from '@mikro-orm/migrations';

/**
 * Where inbound webhooks are verified against: one row per provider-side subscription of an
 * integration, holding the secret the provider proves knowledge of.
 *
 * - Microsoft Graph: `external_id` = subscription id, `secret` = clientState.
 * - Google push: `external_id` = channel id, `secret` = channel token.
 * - Asana: `external_id` = the random `hook` token in the target URL, `secret` = X-Hook-Secret
 *   (NULL until the handshake stores it).
 * - Standard Webhooks (custom providers): `external_id` = the `hook` token, `secret` = `whsec_…`.
 *
 * Secrets are sealed (AES-256-GCM, see src/crypto) with the row's provider and external id as AAD.
 */
export class Migration20261124010000WebhookEndpoints extends Migration {
  override name = 'Migration20261124010000_webhook_endpoints';

  override up(): void {
    this.addSql(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        provider text NOT NULL,
        external_id text NOT NULL,
        secret text,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_endpoints_provider_external_id_unique UNIQUE (provider, external_id)
      );`);
    this.addSql(`CREATE INDEX idx_webhook_endpoints_integration ON webhook_endpoints (integration_id);`);
    this.addSql(`ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;`);
    this.addSql(`ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;`);
    this.addSql(`
      CREATE POLICY webhook_endpoints_tenant_isolation ON webhook_endpoints
        USING (organization_id = nullif(current_setting('app.organization_id', true), '')::uuid)
        WITH CHECK (organization_id = nullif(current_setting('app.organization_id', true), '')::uuid);`);
    this.addSql(`
      CREATE POLICY webhook_endpoints_system_access ON webhook_endpoints
        USING (current_setting('app.system', true) = 'on')
        WITH CHECK (current_setting('app.system', true) = 'on');`);
    this.addSql(`GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO integrations_app;`);
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS webhook_endpoints;`);
  }
}
