import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-sealing.js';
import type { Database } from '../db/database.js';
import { webhookSecretSealContext } from '../webhooks/webhook-directory.js';
import { toProviderSubscriptionRow, type ProtocolState, type ProviderSubscriptionRow, type SubscriptionAction } from '../db/repositories/provider-subscription-row.js';
import { LeaseLostError, type EndpointRegistration } from './subscription-protocol.js';

/** How a claimed subscription's work ended, as the scheduler decided it. */
export interface WorkResult {
  status: 'active' | 'pending' | 'failed' | 'expired';
  externalId: string | null;
  expiresAt: Date | null;
  state: ProtocolState;
  nextAction: Exclude<SubscriptionAction, 'stop'>;
  renewAt: Date;
  /** Null on success; on failure what went wrong, in words an operator can act on. */
  error: string | null;
  /** On failure: when the current run of failures began. */
  failingSince: Date | null;
  /** Failed attempts in a row after this one. */
  attempts: number;
}

const MAX_ERROR_LENGTH = 2000;

const rows = (result: Record<string, unknown>[]): ProviderSubscriptionRow[] => result.map(toProviderSubscriptionRow);

/**
 * The scheduler's writes to `provider_subscriptions` and the endpoints it owns, each one
 * statement (or one transaction) under `asSystem`. Every write made on behalf of a claim is
 * fenced by the claim's `lease_owner`: a scheduler that lost its lease (it stalled past the lease
 * and another instance took over) finds its writes match nothing. Times come from the
 * scheduler's clock, never from the database's `now()`, so tests can move time.
 */
export class SubscriptionStore {
  constructor(
    private readonly database: Database,
    private readonly cipher: TokenCipher,
  ) {}

  /**
   * Claims up to `limit` due subscriptions of one provider, oldest first. Rows another instance
   * holds (a live lease) or is claiming right now (row locks) are skipped. Each claimed row gets
   * a fresh `lease_owner`.
   */
  claimDue(provider: string, now: Date, leaseMs: number, limit: number): Promise<ProviderSubscriptionRow[]> {
    return this.database.asSystem(async (em) =>
      rows(
        await em.execute(
          `update provider_subscriptions s
              set lease_owner = gen_random_uuid(), lease_expires_at = ?, updated_at = now()
            where s.id = any(array(
                    select id from provider_subscriptions
                     where provider = ? and renew_at is not null and renew_at <= ?
                       and (lease_expires_at is null or lease_expires_at <= ?)
                     order by renew_at limit ? for update skip locked))
            returning *`,
          [new Date(now.getTime() + leaseMs), provider, now, now, limit],
        ),
      ),
    );
  }

  /** Takes the lease of one subscription whose lease is free (an inline stop); null while another holds it. */
  async takeLease(id: string, now: Date, leaseMs: number): Promise<ProviderSubscriptionRow | null> {
    const [row] = await this.database.asSystem(async (em) =>
      rows(
        await em.execute(
          `update provider_subscriptions set lease_owner = gen_random_uuid(), lease_expires_at = ?, updated_at = now()
            where id = ? and (lease_expires_at is null or lease_expires_at <= ?)
            returning *`,
          [new Date(now.getTime() + leaseMs), id, now],
        ),
      ),
    );
    return row ?? null;
  }

  /** Saves protocol state and extends the lease; throws `LeaseLostError` when the claim is no longer ours. */
  async checkpoint(claim: ProviderSubscriptionRow, state: ProtocolState, now: Date, leaseMs: number): Promise<void> {
    const updated = await this.database.asSystem((em) =>
      em.execute<{ id: string }[]>(
        `update provider_subscriptions set state = ?::jsonb, lease_expires_at = ?, updated_at = now()
          where id = ? and lease_owner = ? returning id`,
        [JSON.stringify(state), new Date(now.getTime() + leaseMs), claim.id, claim.leaseOwner],
      ),
    );
    if (updated.length === 0) throw new LeaseLostError(`subscription ${claim.id} was taken over by another instance`);
  }

  /** Inserts (or replaces) a routing row for the claimed subscription; fenced by the lease. */
  async registerEndpoint(claim: ProviderSubscriptionRow, endpoint: EndpointRegistration): Promise<void> {
    const secret = endpoint.secret ? this.cipher.seal(endpoint.secret, webhookSecretSealContext(claim.provider, endpoint.externalId)) : null;
    const inserted = await this.database.asSystem((em) =>
      em.execute<{ id: string }[]>(
        `insert into webhook_endpoints (organization_id, integration_id, provider, external_id, secret, expires_at, subscription_id)
         select s.organization_id, s.integration_id, s.provider, ?, ?, ?, s.id
           from provider_subscriptions s where s.id = ? and s.lease_owner = ?
         on conflict (provider, external_id) do update
           set secret = excluded.secret, expires_at = excluded.expires_at, subscription_id = excluded.subscription_id, updated_at = now()
           where webhook_endpoints.integration_id = excluded.integration_id
         returning id`,
        [endpoint.externalId, secret, endpoint.expiresAt ?? null, claim.id, claim.leaseOwner],
      ),
    );
    if (inserted.length === 0) throw new LeaseLostError(`subscription ${claim.id} was taken over by another instance`);
  }

  /** Removes one routing row of the claimed subscription (or all but `keep` when `externalId` is null); fenced by the lease. */
  async removeEndpoints(claim: ProviderSubscriptionRow, externalId: string | null, keep?: string): Promise<void> {
    await this.database.asSystem(async (em) => {
      await this.assertLease(em, claim);
      await em.execute(
        `delete from webhook_endpoints where subscription_id = ? and (?::text is null or external_id = ?) and (?::text is null or external_id <> ?)`,
        [claim.id, externalId, externalId, keep ?? null, keep ?? null],
      );
    });
  }

  /** The integration's other subscriptions of the same provider that are not stopped. */
  siblings(claim: ProviderSubscriptionRow): Promise<ProviderSubscriptionRow[]> {
    return this.database.asSystem(async (em) =>
      rows(
        await em.execute(
          `select * from provider_subscriptions where integration_id = ? and provider = ? and id <> ? and status <> 'stopped' order by created_at`,
          [claim.integrationId, claim.provider, claim.id],
        ),
      ),
    );
  }

  /**
   * Records the end of a claim's work and releases the lease. A stop requested meanwhile
   * (status STOPPED) wins: the stop is then what runs next. So does any other action signalled
   * while the work ran (a lifecycle notification): the claim's own next action does not
   * overwrite it. Null when the lease was lost.
   */
  async finish(claim: ProviderSubscriptionRow, result: WorkResult, now: Date): Promise<ProviderSubscriptionRow | null> {
    const [row] = await this.database.asSystem(async (em) =>
      rows(
        await em.execute(
          `update provider_subscriptions set
              status = case when status = 'stopped' then status else ? end,
              external_id = ?, expires_at = ?, state = ?::jsonb,
              next_action = case when status = 'stopped' then 'stop'
                                 when next_action is distinct from ? then next_action else ? end,
              renew_at = case when status = 'stopped' then ?
                              when next_action is distinct from ? then renew_at else ? end,
              attempts = ?, failing_since = ?, last_error = ?,
              lease_owner = null, lease_expires_at = null, updated_at = now()
            where id = ? and lease_owner = ?
            returning *`,
          [
            result.status,
            result.externalId,
            result.expiresAt,
            JSON.stringify(result.state),
            claim.nextAction,
            result.nextAction,
            now,
            claim.nextAction,
            result.renewAt,
            result.attempts,
            result.failingSince,
            result.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
            claim.id,
            claim.leaseOwner,
          ],
        ),
      ),
    );
    return row ?? null;
  }

  /**
   * Ends a stop: STOPPED with nothing left to do, every routing row gone (later deliveries are
   * unknown and answered so the provider gives up). `error` says what could not be done at the
   * provider. Fenced by the lease.
   */
  async finishStop(claim: ProviderSubscriptionRow, error: string | null): Promise<ProviderSubscriptionRow | null> {
    return this.database.asSystem(async (em) => {
      const [row] = rows(
        await em.execute(
          `update provider_subscriptions set status = 'stopped', next_action = null, renew_at = null, attempts = 0, failing_since = null,
              last_error = ?, lease_owner = null, lease_expires_at = null, updated_at = now()
            where id = ? and lease_owner = ? returning *`,
          [error?.slice(0, MAX_ERROR_LENGTH) ?? null, claim.id, claim.leaseOwner],
        ),
      );
      if (row) await em.execute(`delete from webhook_endpoints where subscription_id = ?`, [claim.id]);
      return row ?? null;
    });
  }

  /** A stop that failed and will be tried again at `retryAt`; the subscription stays STOPPED meanwhile. */
  async retryStop(claim: ProviderSubscriptionRow, error: string, retryAt: Date, failingSince: Date): Promise<ProviderSubscriptionRow | null> {
    const [row] = await this.database.asSystem(async (em) =>
      rows(
        await em.execute(
          `update provider_subscriptions set attempts = attempts + 1, failing_since = ?, last_error = ?, renew_at = ?,
              lease_owner = null, lease_expires_at = null, updated_at = now()
            where id = ? and lease_owner = ? returning *`,
          [failingSince, error.slice(0, MAX_ERROR_LENGTH), retryAt, claim.id, claim.leaseOwner],
        ),
      ),
    );
    return row ?? null;
  }

  /** Gives a claim back untouched (the scheduler is shutting down before it started the work). */
  async release(claim: ProviderSubscriptionRow): Promise<void> {
    await this.database.asSystem((em) =>
      em.execute(`update provider_subscriptions set lease_owner = null, lease_expires_at = null where id = ? and lease_owner = ?`, [claim.id, claim.leaseOwner]),
    );
  }

  /**
   * Active subscriptions whose expiry passed without a renewal (the service was down, or renewals
   * kept failing): EXPIRED, to be created again now. Held leases are left alone.
   */
  expireLapsed(now: Date): Promise<ProviderSubscriptionRow[]> {
    return this.database.asSystem(async (em) =>
      rows(
        await em.execute(
          `update provider_subscriptions set status = 'expired', next_action = 'create', renew_at = ?, external_id = null, updated_at = now()
            where status in ('active', 'failed') and expires_at is not null and expires_at <= ?
              and next_action is distinct from 'stop' and (lease_expires_at is null or lease_expires_at <= ?)
            returning *`,
          [now, now, now],
        ),
      ),
    );
  }

  /** A provider's lifecycle notification: what it asks for happens now. Null for a stopped or unknown subscription. */
  async signal(id: string, event: 'reauthorize' | 'removed' | 'missed', now: Date): Promise<ProviderSubscriptionRow | null> {
    const statements = {
      reauthorize: `update provider_subscriptions set next_action = 'reauthorize', renew_at = ?, updated_at = now()
                     where id = ? and status in ('active', 'failed') returning *`,
      removed: `update provider_subscriptions set status = 'expired', next_action = 'create', renew_at = ?, external_id = null, updated_at = now()
                 where id = ? and status <> 'stopped' returning *`,
      missed: `update provider_subscriptions set missed_notifications = missed_notifications + 1, last_missed_at = ?, updated_at = now()
                where id = ? and status <> 'stopped' returning *`,
    } as const;
    const [row] = await this.database.asSystem(async (em) => rows(await em.execute(statements[event], [now, id])));
    return row ?? null;
  }

  private async assertLease(em: EntityManager, claim: ProviderSubscriptionRow): Promise<void> {
    const held = await em.execute<{ id: string }[]>(`select id from provider_subscriptions where id = ? and lease_owner = ? for update`, [claim.id, claim.leaseOwner]);
    if (held.length === 0) throw new LeaseLostError(`subscription ${claim.id} was taken over by another instance`);
  }
}
