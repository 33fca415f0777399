import { Migration } from '@mikro-orm/migrations';

/**
 * Provider subscriptions (issue #12): what the service holds at a provider so that it sends
 * webhooks about one resource of one integration, and the state of the scheduler that keeps it
 * alive.
 *
 * - `provider_subscriptions`: one row per (integration, resource). `renew_at` is when the next
 *   action (`next_action`) is due; any instance's scheduler claims due rows with a lease
 *   (`lease_owner`, a fresh id per claim, is the fencing token every later write checks).
 *   `state` is the provider protocol's own data (Google's resourceId, Drive's page token, the
 *   Asana hook token...). The secrets a provider proves knowledge of stay in `webhook_endpoints`
 *   (sealed, re-sealed on key rotation), one row per provider-side channel, now linked to their
 *   subscription: during a Google renewal the old and the new channel are both routable.
 * - `webhook_events.provider_subscription_id`: the subscription an event came through.
 * - `provider_rate_limits`: the request rate the schedulers of every instance share per
 *   provider, learned from 429 answers. Not tenant data: only system transactions touch it.
 */
export class Migration20261205000000ProviderSubscriptions extends Migration {
  override name = 'Migration20261205000000_provider_subscriptions';

  override up(): void {
    this.addSql(`
      CREATE TABLE provider_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        provider text NOT NULL,
        resource text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'failed', 'expired', 'stopped')),
        external_id text,
        expires_at timestamptz,
        renew_at timestamptz,
        next_action text CHECK (next_action IN ('create', 'renew', 'reauthorize', 'check', 'stop')),
        attempts integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        lease_owner uuid,
        lease_expires_at timestamptz,
        last_error text,
        last_notification_at timestamptz,
        missed_notifications integer NOT NULL DEFAULT 0,
        last_missed_at timestamptz,
        state jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT provider_subscriptions_integration_resource_unique UNIQUE (integration_id, resource)
      );`);
    // The schedulers' claim: due rows of one provider, oldest first. Finished rows (renew_at null) are not in it.
    this.addSql(`CREATE INDEX idx_provider_subscriptions_due ON provider_subscriptions (provider, renew_at) WHERE renew_at IS NOT NULL;`);
    this.addSql(`CREATE INDEX idx_provider_subscriptions_org ON provider_subscriptions (organization_id, created_at);`);
    // Gmail pushes name a mailbox, not a subscription.
    this.addSql(`CREATE INDEX idx_provider_subscriptions_gmail ON provider_subscriptions ((state->>'emailAddress')) WHERE resource LIKE 'gmail/%';`);

    this.addSql(`ALTER TABLE webhook_endpoints ADD COLUMN subscription_id uuid REFERENCES provider_subscriptions (id) ON DELETE CASCADE;`);
    this.addSql(`CREATE INDEX idx_webhook_endpoints_subscription ON webhook_endpoints (subscription_id);`);
    this.addSql(`ALTER TABLE webhook_events ADD COLUMN provider_subscription_id uuid;`);

    this.addSql(`
      CREATE TABLE provider_rate_limits (
        provider text PRIMARY KEY,
        rate double precision NOT NULL,
        tokens double precision NOT NULL,
        refilled_at timestamptz NOT NULL,
        paused_until timestamptz,
        probing boolean NOT NULL DEFAULT true,
        window_started_at timestamptz NOT NULL,
        window_ok integer NOT NULL DEFAULT 0,
        window_limited integer NOT NULL DEFAULT 0,
        window_starved boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`);

    this.addSql(`ALTER TABLE provider_subscriptions ENABLE ROW LEVEL SECURITY;`);
    this.addSql(`ALTER TABLE provider_subscriptions FORCE ROW LEVEL SECURITY;`);
    this.addSql(`
      CREATE POLICY provider_subscriptions_tenant_isolation ON provider_subscriptions
        USING (organization_id = nullif(current_setting('app.organization_id', true), '')::uuid)
        WITH CHECK (organization_id = nullif(current_setting('app.organization_id', true), '')::uuid);`);
    this.addSql(`
      CREATE POLICY provider_subscriptions_system_access ON provider_subscriptions
        USING (current_setting('app.system', true) = 'on')
        WITH CHECK (current_setting('app.system', true) = 'on');`);
    this.addSql(`GRANT SELECT, INSERT, UPDATE, DELETE ON provider_subscriptions TO integrations_app;`);

    this.addSql(`ALTER TABLE provider_rate_limits ENABLE ROW LEVEL SECURITY;`);
    this.addSql(`ALTER TABLE provider_rate_limits FORCE ROW LEVEL SECURITY;`);
    this.addSql(`
      CREATE POLICY provider_rate_limits_system_access ON provider_rate_limits
        USING (current_setting('app.system', true) = 'on')
        WITH CHECK (current_setting('app.system', true) = 'on');`);
    this.addSql(`GRANT SELECT, INSERT, UPDATE, DELETE ON provider_rate_limits TO integrations_app;`);
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS provider_rate_limits;`);
    this.addSql(`ALTER TABLE webhook_events DROP COLUMN IF EXISTS provider_subscription_id;`);
    this.addSql(`ALTER TABLE webhook_endpoints DROP COLUMN IF EXISTS subscription_id;`);
    this.addSql(`DROP TABLE IF EXISTS provider_subscriptions;`);
  }
}
