import { AppError, ErrorCode } from '../errors/app-error.js';
import { IntegrationError, IntegrationErrorCode } from '../providers/integration-error.js';
import type { ResilientHttpClient } from '../resilience/resilient-http-client.js';
import type { ProviderPacer } from './provider-pacer.js';
import type { ProtocolState, ProviderSubscriptionRow, SubscriptionAction } from '../db/repositories/provider-subscription-row.js';
import { renewalTime, retryDelay } from './schedule-times.js';
import { subscriptionActions } from './subscription-metrics.js';
import {
  LeaseLostError,
  SubscriptionGoneError,
  SubscriptionRefusedError,
  type ProtocolContext,
  type ProtocolOutcome,
  type SubscriptionProtocol,
} from './subscription-protocol.js';
import type { SubscriptionStore, WorkResult } from './subscription-store.js';

/** The slice of a pino logger the scheduler uses. Objects never carry secrets. */
export interface SchedulerLogger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

export interface SchedulerSettings {
  /** How often an idle scheduler looks for due work. @default 1000 */
  pollIntervalMs: number;
  /** How long a claim is owned before another instance may take the subscription over. @default 120000 */
  leaseMs: number;
  /** Subscriptions of one provider worked on at once by this instance. @default 16 */
  concurrency: number;
  /** First retry of a failing action. @default 30000 */
  retryBaseMs: number;
  /** Longest wait between attempts, and the pace of retries of a FAILED subscription. @default 3600000 */
  retryMaxMs: number;
  /** A failing subscription shows FAILED once it has failed for this long. @default 1800000 */
  failAfterMs: number;
  /** Subscriptions without an expiry are checked at the provider this often. @default 3600000 */
  reconcileMs: number;
  /** How often lapsed subscriptions are looked for (always at start). @default 10000 */
  lapseScanIntervalMs: number;
  /** How long an inline stop (unsubscribe, disconnect) waits for another instance's lease. @default 10000 */
  stopWaitMs: number;
}

export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = {
  pollIntervalMs: 1000,
  leaseMs: 120_000,
  concurrency: 16,
  retryBaseMs: 30_000,
  retryMaxMs: 3_600_000,
  failAfterMs: 1_800_000,
  reconcileMs: 3_600_000,
  lapseScanIntervalMs: 10_000,
  stopWaitMs: 10_000,
};

/** What the scheduler reaches a provider with. */
export interface ProviderAccess {
  protocol(provider: string): SubscriptionProtocol | undefined;
  http(provider: string): ResilientHttpClient;
  apiBaseUrl(provider: string): string;
}

export interface SubscriptionSchedulerOptions {
  store: SubscriptionStore;
  providers: ProviderAccess;
  /** Every provider with a protocol: the scheduler claims each one's due rows. */
  providerIds: readonly string[];
  /** `TokenManager.withAccessToken`. */
  withAccessToken<T>(integrationId: string, call: (accessToken: string) => Promise<T>): Promise<T>;
  pacer: ProviderPacer;
  publicUrl: string;
  /** Publishes a committed change (providerSubscriptionChanged). */
  publish(row: ProviderSubscriptionRow): Promise<void>;
  settings?: Partial<SchedulerSettings>;
  /** @default Date.now */
  clock?: () => number;
  logger: SchedulerLogger;
}

/** A short, safe description of a failure: our own messages and the resilience layer's (which never hold bodies or tokens). */
function describe(error: unknown): string {
  if (error instanceof AppError || error instanceof IntegrationError || error instanceof SubscriptionRefusedError) return error.message;
  return 'an unexpected error (see the service log)';
}

/** Failures retrying soon will not fix: the subscription is FAILED at once and retried at the slow pace. */
function isPermanent(error: unknown): boolean {
  if (error instanceof SubscriptionRefusedError) return true;
  if (error instanceof AppError) return error.code !== ErrorCode.PROVIDER_UNAVAILABLE && error.code !== ErrorCode.RATE_LIMITED && error.code !== ErrorCode.INTERNAL_SERVER_ERROR;
  if (error instanceof IntegrationError) return error.code === IntegrationErrorCode.PROVIDER_REQUEST_REJECTED || error.code === IntegrationErrorCode.PROVIDER_AUTH_FAILED;
  return false;
}

const retryAfterOf = (error: unknown): number | undefined => (error instanceof IntegrationError ? error.retryAfterMs : undefined);

/** A request refused by a rate limit is tried again no sooner than this, whatever the provider said. */
const RATE_LIMITED_MIN_WAIT_MS = 1000;

const isRateLimited = (error: unknown): boolean => error instanceof IntegrationError && (error.code === IntegrationErrorCode.RATE_LIMITED || error.statusCode === 429);

/**
 * The durable scheduler of provider subscriptions. Every instance runs one; there are no timers
 * per subscription. A pass claims each provider's due rows with a lease (`FOR UPDATE SKIP
 * LOCKED`, a fresh fencing token per claim), runs the provider protocol's action, and writes the
 * outcome fenced by that token, then publishes it. A process killed mid-action leaves a lease
 * that expires; whichever instance claims the row next finishes the work, and the protocol's
 * write-ahead state tells it what may already exist at the provider.
 *
 * Failures back off exponentially (bounded by `retryMaxMs`); a subscription failing for
 * `failAfterMs` (or refused outright) is FAILED with `lastError` and keeps being retried at the
 * slow pace. A subscription whose expiry passed unrenewed is EXPIRED and created again.
 */
export class SubscriptionScheduler {
  private readonly settings: SchedulerSettings;
  private readonly clock: () => number;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private passing: Promise<number> | null = null;
  private again = false;
  private started = false;
  private closed = false;
  private lastLapseScan = -Infinity;

  constructor(private readonly options: SubscriptionSchedulerOptions) {
    this.settings = { ...DEFAULT_SCHEDULER_SETTINGS, ...options.settings };
    this.clock = options.clock ?? Date.now;
  }

  private now(): Date {
    return new Date(this.clock());
  }

  /** Starts the loop: a pass now (what lapsed while the service was down is found at once), then whenever work may be due. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.wake();
  }

  /** Runs a pass soon (new rows were made due in this process). */
  wake(): void {
    if (!this.started || this.closed) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /**
   * Runs passes until one finds nothing due, waiting for every action it started (tests drive
   * time with this instead of the loop). Returns how many subscriptions were worked on.
   */
  async runDue(): Promise<number> {
    let total = 0;
    for (let pass = 0; pass < 100; pass++) {
      const claimed = await this.pass();
      await this.settle();
      total += claimed;
      if (claimed === 0) return total;
    }
    return total;
  }

  /** Waits for every action in flight. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Stops a subscription at the provider now, in the caller's request (unsubscribe, disconnect),
   * unless another instance holds it for longer than `stopWaitMs`: the stop is then that
   * instance's (the row is due with next action `stop`). `final`: no retries (the token is
   * about to be revoked), a failure is recorded and the provider's own expiry ends it.
   */
  async stopNow(id: string, final: boolean): Promise<ProviderSubscriptionRow | null> {
    const deadline = Date.now() + this.settings.stopWaitMs;
    for (;;) {
      const claim = await this.options.store.takeLease(id, this.now(), this.settings.leaseMs);
      if (claim) return this.runStop(claim, { final, paced: false });
      if (Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the loop, waits for running actions. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.passing?.catch(() => undefined);
    await this.settle();
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.loopPass();
    }, delayMs);
  }

  private async loopPass(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await this.pass();
    } catch (error) {
      this.options.logger.error({ err: error }, 'subscription scheduler pass failed; trying again');
    }
    if (this.closed) return;
    // Busy: look again as soon as an action frees a slot (see `track`); idle: poll.
    const again = this.again || claimed > 0;
    this.again = false;
    if (!again) this.schedule(this.settings.pollIntervalMs);
    else if (this.hasFreeSlot()) this.schedule(0);
  }

  private hasFreeSlot(): boolean {
    return this.options.providerIds.some((provider) => (this.inFlight.get(provider) ?? 0) < this.settings.concurrency);
  }

  /** One pass: lapsed subscriptions become EXPIRED, then each provider's due rows are claimed into free slots. */
  private pass(): Promise<number> {
    this.passing ??= (async () => {
      try {
        const now = this.now();
        if (now.getTime() - this.lastLapseScan >= this.settings.lapseScanIntervalMs) {
          this.lastLapseScan = now.getTime();
          for (const row of await this.options.store.expireLapsed(now)) {
            this.options.logger.warn({ subscriptionId: row.id, provider: row.provider, resource: row.resource }, 'subscription lapsed unrenewed; creating it again');
            subscriptionActions.inc({ provider: row.provider, action: 'renew', outcome: 'lapsed' });
            await this.publish(row);
          }
        }
        let claimed = 0;
        for (const provider of this.options.providerIds) {
          const free = this.settings.concurrency - (this.inFlight.get(provider) ?? 0);
          if (free <= 0) continue;
          const claims = await this.options.store.claimDue(provider, this.now(), this.settings.leaseMs, free);
          claimed += claims.length;
          for (const claim of claims) this.track(provider, this.run(claim));
        }
        return claimed;
      } finally {
        this.passing = null;
      }
    })();
    return this.passing;
  }

  private track(provider: string, work: Promise<void>): void {
    this.inFlight.set(provider, (this.inFlight.get(provider) ?? 0) + 1);
    const done = work
      .catch((error: unknown) => this.options.logger.error({ err: error, provider }, 'subscription action failed unexpectedly'))
      .finally(() => {
        this.inFlight.set(provider, (this.inFlight.get(provider) ?? 1) - 1);
        this.running.delete(done);
        // A slot is free: more due rows may be waiting for it.
        if (this.started && !this.closed) this.wake();
      });
    this.running.add(done);
  }

  private async run(claim: ProviderSubscriptionRow): Promise<void> {
    const action: SubscriptionAction = claim.nextAction ?? 'create';
    if (action === 'stop' || claim.status === 'stopped') {
      await this.runStop(claim, { final: false, paced: true });
      return;
    }
    const protocol = this.options.providers.protocol(claim.provider);
    const now = this.now();
    if (action !== 'create' && claim.expiresAt && claim.expiresAt <= now) {
      // It lapsed before its renewal came round (the service was down): create it again.
      await this.finishAs(claim, this.goneResult(claim, claim.state, now), 'lapsed');
      return;
    }
    const context = this.context(claim, true);
    const started = performance.now();
    try {
      if (!protocol) throw new SubscriptionRefusedError(`No subscription protocol is installed for provider "${claim.provider}"`);
      let outcome: ProtocolOutcome;
      if (action === 'create') {
        // Whatever channel the subscription had is dead (expired, removed, or never confirmed).
        await this.options.store.removeEndpoints(claim, null);
        outcome = await protocol.create(context);
      } else if (action === 'reauthorize') {
        outcome = await (protocol.reauthorize ?? protocol.renew).call(protocol, context);
      } else if (action === 'check') {
        outcome = await (protocol.check ?? protocol.renew).call(protocol, context);
      } else {
        outcome = await protocol.renew(context);
      }
      const result = this.successResult(outcome, this.now());
      const row = await this.options.store.finish(claim, result, this.now());
      subscriptionActions.inc({ provider: claim.provider, action, outcome: 'ok' });
      if (!row) return this.leaseLost(claim, action);
      const log = action === 'renew' || action === 'check' ? this.options.logger.debug : this.options.logger.info;
      log.call(
        this.options.logger,
        { subscriptionId: claim.id, provider: claim.provider, resource: claim.resource, action, expiresAt: row.expiresAt?.toISOString() ?? null, ms: Math.round(performance.now() - started) },
        `subscription ${action} done`,
      );
      await this.publish(row);
    } catch (error) {
      if (error instanceof LeaseLostError) return this.leaseLost(claim, action);
      const state = context.latestState();
      if (error instanceof SubscriptionGoneError) {
        this.options.logger.warn({ subscriptionId: claim.id, provider: claim.provider, resource: claim.resource, action, reason: error.message }, 'subscription gone at the provider; creating it again');
        await this.finishAs(claim, this.goneResult(claim, state, this.now()), 'gone');
        return;
      }
      const result = this.failureResult(claim, action, state, error, this.now());
      subscriptionActions.inc({ provider: claim.provider, action, outcome: isRateLimited(error) ? 'rate_limited' : 'failed' });
      (isRateLimited(error) ? this.options.logger.debug : this.options.logger.warn).call(
        this.options.logger,
        { subscriptionId: claim.id, provider: claim.provider, resource: claim.resource, action, attempts: result.attempts, status: result.status, retryAt: result.renewAt.toISOString(), err: error },
        `subscription ${action} failed`,
      );
      const row = await this.options.store.finish(claim, result, this.now());
      if (row) await this.publish(row);
    }
  }

  private async finishAs(claim: ProviderSubscriptionRow, result: WorkResult, outcome: string): Promise<void> {
    subscriptionActions.inc({ provider: claim.provider, action: claim.nextAction ?? 'create', outcome });
    const row = await this.options.store.finish(claim, result, this.now());
    if (row) await this.publish(row);
  }

  private async runStop(claim: ProviderSubscriptionRow, { final, paced }: { final: boolean; paced: boolean }): Promise<ProviderSubscriptionRow | null> {
    const protocol = this.options.providers.protocol(claim.provider);
    const everCreated = claim.externalId !== null || Object.keys(claim.state).length > 0;
    let error: string | null = null;
    if (protocol && everCreated) {
      try {
        await protocol.stop(this.context(claim, paced));
        subscriptionActions.inc({ provider: claim.provider, action: 'stop', outcome: 'ok' });
      } catch (caught) {
        if (caught instanceof LeaseLostError) {
          this.leaseLost(claim, 'stop');
          return null;
        }
        subscriptionActions.inc({ provider: claim.provider, action: 'stop', outcome: 'failed' });
        const now = this.now();
        const failingSince = claim.failingSince ?? now;
        const giveUp = final || isPermanent(caught) || now.getTime() - failingSince.getTime() >= this.settings.failAfterMs;
        this.options.logger.warn({ subscriptionId: claim.id, provider: claim.provider, resource: claim.resource, final: giveUp, err: caught }, 'stopping a subscription at the provider failed');
        if (!giveUp) {
          const retryAt = new Date(now.getTime() + retryDelay(claim.attempts, this.settings.retryBaseMs, this.settings.retryMaxMs, retryAfterOf(caught)));
          const row = await this.options.store.retryStop(claim, `Stopping it at ${claim.provider} failed (${describe(caught)}); trying again`, retryAt, failingSince);
          if (row) await this.publish(row);
          return row;
        }
        error = `It could not be stopped at ${claim.provider} (${describe(caught)}); the provider stops delivering when it expires, and deliveries meanwhile are refused`;
      }
    }
    const row = await this.options.store.finishStop(claim, error);
    if (!row) {
      this.leaseLost(claim, 'stop');
      return null;
    }
    this.options.logger.info({ subscriptionId: claim.id, provider: claim.provider, resource: claim.resource, stoppedAtProvider: error === null }, 'subscription stopped');
    await this.publish(row);
    return row;
  }

  private leaseLost(claim: ProviderSubscriptionRow, action: SubscriptionAction): void {
    this.options.logger.warn({ subscriptionId: claim.id, provider: claim.provider, action }, 'another instance took this subscription over; leaving it to it');
  }

  private successResult(outcome: ProtocolOutcome, now: Date): WorkResult {
    const next = outcome.next ?? (outcome.expiresAt ? { action: 'renew' as const, at: renewalTime(now, outcome.expiresAt) } : { action: 'check' as const, at: new Date(now.getTime() + this.settings.reconcileMs) });
    return { status: 'active', externalId: outcome.externalId, expiresAt: outcome.expiresAt, state: outcome.state, nextAction: next.action, renewAt: next.at, error: null, failingSince: null, attempts: 0 };
  }

  private goneResult(claim: ProviderSubscriptionRow, state: ProtocolState, now: Date): WorkResult {
    return { status: 'expired', externalId: null, expiresAt: claim.expiresAt, state, nextAction: 'create', renewAt: now, error: null, failingSince: null, attempts: 0 };
  }

  private failureResult(claim: ProviderSubscriptionRow, action: Exclude<SubscriptionAction, 'stop'>, state: ProtocolState, error: unknown, now: Date): WorkResult {
    const unchanged = { externalId: claim.externalId, expiresAt: claim.expiresAt, state, nextAction: action };
    if (isRateLimited(error)) {
      // Not a failure of the subscription: the provider asked us to slow down (the pacer has
      // lowered the pace already). Tried again once the provider's Retry-After has passed.
      const wait = Math.max(retryAfterOf(error) ?? 0, RATE_LIMITED_MIN_WAIT_MS) * (1 + Math.random() / 2);
      return { ...unchanged, status: claim.status as WorkResult['status'], renewAt: new Date(now.getTime() + wait), error: claim.lastError, failingSince: claim.failingSince, attempts: claim.attempts };
    }
    const failingSince = claim.failingSince ?? now;
    const permanent = isPermanent(error);
    const failed = permanent || claim.status === 'failed' || now.getTime() - failingSince.getTime() >= this.settings.failAfterMs;
    const delay = permanent ? this.settings.retryMaxMs : retryDelay(claim.attempts, this.settings.retryBaseMs, this.settings.retryMaxMs, retryAfterOf(error));
    return {
      ...unchanged,
      // Until it counts as FAILED it keeps showing what it was (PENDING, ACTIVE, EXPIRED); a stop never gets here.
      status: failed ? 'failed' : (claim.status as WorkResult['status']),
      renewAt: new Date(now.getTime() + delay),
      error: describe(error),
      failingSince,
      attempts: claim.attempts + 1,
    };
  }

  private async publish(row: ProviderSubscriptionRow): Promise<void> {
    try {
      await this.options.publish(row);
    } catch (error) {
      this.options.logger.warn({ subscriptionId: row.id, err: error }, 'subscription change not published');
    }
  }

  private context(claim: ProviderSubscriptionRow, paced: boolean): ProtocolContext & { latestState(): ProtocolState } {
    const { store, providers, pacer } = this.options;
    const provider = claim.provider;
    let state = claim.state;
    return {
      subscription: claim,
      now: () => this.now(),
      publicUrl: this.options.publicUrl,
      apiBaseUrl: providers.apiBaseUrl(provider),
      http: providers.http(provider),
      call: (request) =>
        this.options.withAccessToken(claim.integrationId, async (accessToken) => {
          if (paced) await pacer.take(provider);
          try {
            const result = await request(accessToken);
            if (paced) pacer.report(provider, { limited: false });
            return result;
          } catch (error) {
            if (paced && error instanceof IntegrationError && error.statusCode !== undefined) {
              pacer.report(provider, { limited: isRateLimited(error), retryAfterMs: error.retryAfterMs });
            }
            throw error;
          }
        }),
      checkpoint: async (next) => {
        await store.checkpoint(claim, next, this.now(), this.settings.leaseMs);
        state = next;
      },
      registerEndpoint: (endpoint) => store.registerEndpoint(claim, endpoint),
      removeEndpoint: (externalId) => store.removeEndpoints(claim, externalId),
      siblings: () => store.siblings(claim),
      latestState: () => state,
    };
  }
}
