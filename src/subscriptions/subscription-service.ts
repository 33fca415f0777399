import type { EntityManager } from '@mikro-orm/postgresql';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { ConnectionLifecycle } from '../connections/connection-lifecycle.js';
import type { Database } from '../db/database.js';
import type { IntegrationEntity } from '../db/entities/index.js';
import { isUuid } from '../db/organization-id.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import { isKnownProvider, resolveProvider, type ProvidersConfig } from '../providers/resolve-provider.js';
import type { SubscriptionSignal, SubscriptionSignals } from '../webhooks/subscription-signals.js';
import { toProviderSubscriptionRow, type ProviderSubscriptionRow } from '../db/repositories/provider-subscription-row.js';
import { matchResource } from '../providers/resource-pattern.js';
import type { ProviderAccess, SchedulerLogger, SubscriptionScheduler } from './subscription-scheduler.js';
import type { SubscriptionStore } from './subscription-store.js';

export interface SubscribeToResourceInput {
  integrationId: string;
  resource: string;
}

export interface SubscriptionServiceOptions {
  database: Database;
  store: SubscriptionStore;
  scheduler: SubscriptionScheduler;
  providers: ProviderAccess;
  config: ProvidersConfig;
  publish(row: ProviderSubscriptionRow): Promise<void>;
  clock: () => number;
  logger: SchedulerLogger;
}

interface OwningIntegration {
  id: string;
  provider_id: string;
  provider_name: string;
  status: string;
  connected_by: string | null;
}

/** How many subscriptions a disconnect stops at the provider at once. */
const STOP_CONCURRENCY = 4;

/**
 * Inserts the subscriptions (PENDING, due now), or brings back stopped ones whose stop is done.
 * Subscriptions that exist and are not stopped are left as they are: subscribing is idempotent.
 */
const UPSERT = `
  insert into provider_subscriptions (organization_id, integration_id, provider, resource, status, next_action, renew_at)
  select ?, ?, ?, resource, 'pending', 'create', ? from unnest(?::text[]) as resource
  on conflict (integration_id, resource) do update
    set status = 'pending', next_action = 'create', renew_at = excluded.renew_at, external_id = null, expires_at = null,
        state = '{}'::jsonb, attempts = 0, failing_since = null, last_error = null, updated_at = now()
    where provider_subscriptions.status = 'stopped' and provider_subscriptions.renew_at is null
  returning *`;

const textArray = (values: readonly string[]): string => `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * The user-facing side of provider subscriptions: subscribe and unsubscribe (organization
 * scoped, same role as disconnecting), the defaults made on connect, the stops made before a
 * disconnect revokes the tokens, and the lifecycle notifications the webhook receivers pass on.
 */
export class SubscriptionService implements SubscriptionSignals {
  constructor(private readonly options: SubscriptionServiceOptions) {}

  private now(): Date {
    return new Date(this.options.clock());
  }

  /** `subscribeToResource`: validated against the provider's patterns; the same resource twice is the same subscription. */
  async subscribe(principal: Principal, input: SubscribeToResourceInput): Promise<ProviderSubscriptionRow> {
    if (!isUuid(input.integrationId)) throw notFound('Integration');
    const { row, created } = await this.options.database.withOrganization(principal.organizationId, async (em) => {
      const integration = await this.owningIntegration(em, principal, input.integrationId);
      if (integration.status === 'disconnected') throw new AppError(ErrorCode.BAD_USER_INPUT, `${integration.provider_name} is not connected; connect it first`);
      this.assertSubscribable(integration, input.resource);
      const [inserted] = await this.upsert(em, principal.organizationId, integration.id, integration.provider_id, [input.resource]);
      if (inserted) return { row: inserted, created: true };
      const [existing] = await em.execute<Record<string, unknown>[]>(`select * from provider_subscriptions where integration_id = ? and resource = ?`, [integration.id, input.resource]);
      const current = toProviderSubscriptionRow(existing!);
      if (current.status === 'stopped') {
        throw new AppError(ErrorCode.BAD_USER_INPUT, `The subscription to ${input.resource} is still being stopped at ${integration.provider_name}; try again in a moment`);
      }
      return { row: current, created: false };
    });
    if (created) {
      this.options.logger.info({ subscriptionId: row.id, provider: row.provider, resource: row.resource, organizationId: row.organizationId }, 'provider subscription requested');
      await this.options.publish(row);
      this.options.scheduler.wake();
    }
    return row;
  }

  /**
   * `unsubscribeFromResource`: STOPPED at once, and stopped at the provider in this request
   * unless another instance is working on it (it then stops it as soon as it is done).
   */
  async unsubscribe(principal: Principal, id: string): Promise<ProviderSubscriptionRow> {
    if (!isUuid(id)) throw notFound('Provider subscription');
    const marked = await this.options.database.withOrganization(principal.organizationId, async (em) => {
      const [found] = await em.execute<Record<string, unknown>[]>(`select * from provider_subscriptions where id = ? and organization_id = ?`, [id, principal.organizationId]);
      if (!found) throw notFound('Provider subscription');
      const row = toProviderSubscriptionRow(found);
      await this.owningIntegration(em, principal, row.integrationId);
      if (row.status === 'stopped') return null;
      const [stopped] = await em.execute<Record<string, unknown>[]>(
        `update provider_subscriptions set status = 'stopped', next_action = 'stop', renew_at = ?, attempts = 0, failing_since = null, last_error = null, updated_at = now()
          where id = ? returning *`,
        [this.now(), id],
      );
      return toProviderSubscriptionRow(stopped!);
    });
    if (!marked) return this.read(principal.organizationId, id);
    await this.options.publish(marked);
    const done = await this.options.scheduler.stopNow(id, false);
    return done ?? this.read(principal.organizationId, id);
  }

  /** The lifecycle the connection services call (see ConnectionLifecycle). */
  readonly lifecycle: ConnectionLifecycle = {
    connected: async (em, integration) => {
      const rows = await this.connected(em, integration);
      return async () => {
        for (const row of rows) await this.options.publish(row);
        if (rows.length > 0) this.options.scheduler.wake();
      };
    },
    disconnecting: (integration) => this.stopAll(integration),
    healthProblem: (integration) => this.healthProblem(integration),
  };

  /**
   * On connect and reconnect: the provider's default subscriptions (new, or back from STOPPED),
   * and the integration's FAILED or EXPIRED ones are tried again now (a reconnect is what they
   * were waiting for when the credentials were the problem).
   */
  private async connected(em: EntityManager, integration: IntegrationEntity): Promise<ProviderSubscriptionRow[]> {
    const now = this.now();
    const defaults = isKnownProvider(integration.providerId, this.options.config) ? resolveProvider(integration.providerId, this.options.config, integration.connectionParams ?? {}).defaultSubscriptions : [];
    const protocol = this.options.providers.protocol(integration.providerId);
    const wanted = protocol ? defaults.filter((resource) => !protocol.unavailable?.(resource)) : [];
    const created = await this.upsert(em, integration.organizationId, integration.id, integration.providerId, wanted);
    const retried = await em.execute<Record<string, unknown>[]>(
      `update provider_subscriptions set renew_at = ?, attempts = 0, failing_since = null, updated_at = now()
        where integration_id = ? and status in ('failed', 'expired') returning *`,
      [now, integration.id],
    );
    return [...created, ...retried.map(toProviderSubscriptionRow)];
  }

  /**
   * Before a disconnect revokes the tokens: every subscription STOPPED, and stopped at the
   * provider with the tokens that still work. What cannot be stopped (the provider is down) is
   * recorded on the subscription; the provider's own expiry ends it, and its deliveries are
   * refused meanwhile.
   */
  private async stopAll(integration: IntegrationEntity): Promise<void> {
    const marked = await this.options.database.asSystem(async (em) =>
      (
        await em.execute<Record<string, unknown>[]>(
          `update provider_subscriptions set status = 'stopped', next_action = 'stop', renew_at = ?, attempts = 0, failing_since = null, last_error = null, updated_at = now()
            where integration_id = ? and not (status = 'stopped' and renew_at is null) returning *`,
          [this.now(), integration.id],
        )
      ).map(toProviderSubscriptionRow),
    );
    for (const row of marked) await this.options.publish(row);
    const queue = [...marked];
    const worker = async (): Promise<void> => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        try {
          await this.options.scheduler.stopNow(row.id, true);
        } catch (error) {
          this.options.logger.warn({ subscriptionId: row.id, provider: row.provider, err: error }, 'could not stop a subscription before disconnecting');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(STOP_CONCURRENCY, queue.length) }, worker));
  }

  private async healthProblem(integration: Pick<IntegrationEntity, 'id' | 'organizationId'>): Promise<string | null> {
    const failed = await this.options.database.withOrganization(integration.organizationId, (em) =>
      em.execute<{ resource: string; last_error: string | null }[]>(
        `select resource, last_error from provider_subscriptions where integration_id = ? and status = 'failed' order by updated_at desc`,
        [integration.id],
      ),
    );
    const [first] = failed;
    if (!first) return null;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed subscription${failed.length > 2 ? 's' : ''})` : '';
    return `The subscription to ${first.resource} is failing: ${first.last_error ?? 'no reason recorded'}${more}`;
  }

  /** A provider's lifecycle notification, verified by the receiver: the scheduler acts on it now. */
  async signal(subscriptionId: string, signal: SubscriptionSignal): Promise<void> {
    const event = signal === 'reauthorizationRequired' ? 'reauthorize' : signal === 'subscriptionRemoved' ? 'removed' : 'missed';
    const row = await this.options.store.signal(subscriptionId, event, this.now());
    if (!row) {
      this.options.logger.info({ subscriptionId, signal }, 'lifecycle notification for a stopped or unknown subscription ignored');
      return;
    }
    this.options.logger.info({ subscriptionId, provider: row.provider, resource: row.resource, signal }, 'provider lifecycle notification');
    await this.options.publish(row);
    if (event !== 'missed') this.options.scheduler.wake();
  }

  private async read(organizationId: string, id: string): Promise<ProviderSubscriptionRow> {
    const [row] = await this.options.database.withOrganization(organizationId, (em) => em.execute<Record<string, unknown>[]>(`select * from provider_subscriptions where id = ?`, [id]));
    if (!row) throw notFound('Provider subscription');
    return toProviderSubscriptionRow(row);
  }

  /** The integration, when the caller may manage its subscriptions: the same rule as disconnecting it. */
  private async owningIntegration(em: EntityManager, principal: Principal, integrationId: string): Promise<OwningIntegration> {
    const [integration] = await em.execute<OwningIntegration[]>(
      `select id, provider_id, provider_name, status, connected_by from integrations where id = ? and organization_id = ?`,
      [integrationId, principal.organizationId],
    );
    // Another organization's id reads as missing: no existence oracle.
    if (!integration) throw notFound('Integration');
    if (!isAdmin(principal) && integration.connected_by !== principal.userId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only an admin or the person who connected this integration can manage its subscriptions');
    }
    return integration;
  }

  private assertSubscribable(integration: OwningIntegration, resource: string): void {
    const patterns = isKnownProvider(integration.provider_id, this.options.config) ? resolveProvider(integration.provider_id, this.options.config).subscribableResources : [];
    const protocol = this.options.providers.protocol(integration.provider_id);
    if (patterns.length === 0 || !protocol) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        integration.provider_id === 'slack'
          ? 'Slack sends its events to the Events API request URL set once for the app in Slack, not per connection: there is nothing to subscribe to'
          : `${integration.provider_name} has no resources to subscribe to`,
      );
    }
    if (!matchResource(patterns, resource)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `"${resource}" is not a resource ${integration.provider_name} can send webhooks about; accepted forms: ${patterns.join(', ')}`, {
        acceptedForms: [...patterns],
      });
    }
    const unavailable = protocol.unavailable?.(resource);
    if (unavailable) throw new AppError(ErrorCode.BAD_USER_INPUT, unavailable);
  }

  private async upsert(em: EntityManager, organizationId: string, integrationId: string, provider: string, resources: readonly string[]): Promise<ProviderSubscriptionRow[]> {
    if (resources.length === 0) return [];
    const rows = await em.execute<Record<string, unknown>[]>(UPSERT, [organizationId, integrationId, provider, this.now(), textArray(resources)]);
    return rows.map(toProviderSubscriptionRow);
  }
}
