import { Migration } from '@mikro-orm/migrations';

/**
 * The seed's `integrations` and `webhook_events` tables plus the pending OAuth states, with
 * row-level security done for real:
 *
 * - Organization ids are plain UUIDs: organizations belong to another subgraph, so there is no
 *   foreign key to a table this service does not own.
 * - Every tenant table has FORCE ROW LEVEL SECURITY and a policy keyed on the per-transaction
 *   setting `app.organization_id`. The application runs each transaction under the NOLOGIN role
 *   `integrations_app` (`SET LOCAL ROLE`), which the policies apply to even when the connecting
 *   user owns the tables, so a query that forgets its organization filter still sees one
 *   organization's rows.
 * - Cross-organization system work (webhook routing, the worker, the sweeper, the OAuth callback,
 *   which learns the organization from the state) sets `app.system = 'on'` explicitly instead.
 */
export class Migration20261124000000Initial extends Migration {
  override name = 'Migration20261124000000_initial';

  override up(): void {
    this.addSql(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'integrations_app') THEN
          CREATE ROLE integrations_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      END
      $$;`);
    // The connecting user must be able to SET ROLE to it.
    this.addSql(`GRANT integrations_app TO CURRENT_USER;`);

    this.addSql(`
      CREATE TABLE integrations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        provider_id text NOT NULL,
        provider_name text NOT NULL,
        status text NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'disconnected', 'error')),
        access_token text,
        refresh_token text,
        token_key_id text,
        token_expires_at timestamptz,
        scopes text[] NOT NULL DEFAULT '{}',
        metadata jsonb,
        connected_by text,
        connected_at timestamptz DEFAULT now(),
        last_sync_at timestamptz,
        error_message text,
        needs_reauthorization boolean NOT NULL DEFAULT false,
        external_account_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT integrations_organization_id_provider_id_unique UNIQUE (organization_id, provider_id)
      );`);
    this.addSql(`CREATE INDEX idx_integrations_org ON integrations (organization_id);`);
    this.addSql(`CREATE INDEX idx_integrations_status ON integrations (status);`);
    this.addSql(`CREATE INDEX idx_integrations_external_account ON integrations (provider_id, external_account_id);`);
    this.addSql(`CREATE INDEX idx_integrations_token_key ON integrations (token_key_id);`);

    this.addSql(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        provider text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 8,
        error_message text,
        delivery_id text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        processed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );`);
    // A provider re-delivering the same event is acknowledged, not stored twice.
    this.addSql(`CREATE UNIQUE INDEX webhook_events_provider_delivery_id_unique ON webhook_events (provider, delivery_id) WHERE delivery_id IS NOT NULL;`);
    this.addSql(`CREATE INDEX idx_webhook_events_status ON webhook_events (status, next_attempt_at);`);
    this.addSql(`CREATE INDEX idx_webhook_events_integration ON webhook_events (integration_id, created_at DESC, id DESC);`);
    this.addSql(`CREATE INDEX idx_webhook_events_org ON webhook_events (organization_id, created_at DESC, id DESC);`);

    this.addSql(`
      CREATE TABLE oauth_states (
        state_hash text PRIMARY KEY,
        organization_id uuid NOT NULL,
        user_id text NOT NULL,
        provider_id text NOT NULL,
        redirect_uri text NOT NULL,
        scopes text[] NOT NULL DEFAULT '{}',
        code_verifier text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`);
    this.addSql(`CREATE INDEX idx_oauth_states_expires ON oauth_states (expires_at);`);

    for (const table of ['integrations', 'webhook_events', 'oauth_states']) {
      this.addSql(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`);
      this.addSql(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
      this.addSql(`
        CREATE POLICY ${table}_tenant_isolation ON ${table}
          USING (organization_id = nullif(current_setting('app.organization_id', true), '')::uuid)
          WITH CHECK (organization_id = nullif(current_setting('app.organization_id', true), '')::uuid);`);
      this.addSql(`
        CREATE POLICY ${table}_system_access ON ${table}
          USING (current_setting('app.system', true) = 'on')
          WITH CHECK (current_setting('app.system', true) = 'on');`);
      this.addSql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO integrations_app;`);
    }
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS oauth_states;`);
    this.addSql(`DROP TABLE IF EXISTS webhook_events;`);
    this.addSql(`DROP TABLE IF EXISTS integrations;`);
  }
}
