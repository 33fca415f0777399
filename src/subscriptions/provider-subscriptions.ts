import type { SubscriptionsConfig } from '../config.js';
import type { TokenCipher } from '../crypto/token-sealing.js';
import type { Database } from '../db/database.js';
import { isKnownProvider, listResolvedProviders, resolveProvider, type ProvidersConfig } from '../providers/resolve-provider.js';
import type { PubSub } from '../pubsub/topics.js';
import type { ProviderBreakerRegistry } from '../resilience/provider-breakers.js';
import type { ResilienceLogger } from '../resilience/resilience-logger.js';
import { readGoogleError } from '../providers/google/google-error.js';
import { readGraphError } from '../providers/microsoft/graph-error.js';
import type { ProviderErrorReader } from '../resilience/provider-error.js';
import { ResilientHttpClient } from '../resilience/resilient-http-client.js';
import { ProviderPacer, type ProviderPacerOptions } from './provider-pacer.js';
import { toProviderSubscriptionSnapshot, type ProviderSubscriptionRow } from '../db/repositories/provider-subscription-row.js';
import { createAsanaProtocol } from './protocols/asana-protocol.js';
import { createGenericProtocol } from './protocols/generic-protocol.js';
import { createGoogleProtocol } from './protocols/google-protocol.js';
import { createMicrosoftGraphProtocol } from './protocols/microsoft-graph-protocol.js';
import { setSubscriptionFiguresSource, type SubscriptionFigures } from './subscription-metrics.js';
import type { SubscriptionProtocol } from './subscription-protocol.js';
import { SubscriptionScheduler, type ProviderAccess, type SchedulerLogger, type SchedulerSettings } from './subscription-scheduler.js';
import { SubscriptionService } from './subscription-service.js';
import { SubscriptionStore } from './subscription-store.js';

export interface ProviderSubscriptionsOptions {
  database: Database;
  cipher: TokenCipher;
  pubsub: Pick<PubSub, 'publish'>;
  config: ProvidersConfig & { publicUrl: string; subscriptions: SubscriptionsConfig };
  /** `TokenManager.withAccessToken`: every provider call gets a valid token, refreshed on 401. */
  withAccessToken<T>(integrationId: string, call: (accessToken: string) => Promise<T>): Promise<T>;
  logger: SchedulerLogger & ResilienceLogger;
  /** The scheduler's clock (tests move it). @default Date.now */
  clock?: () => number;
  /** Protocols of further providers by id (a provider described by data), beside the built-in ones. */
  protocols?: Readonly<Record<string, SubscriptionProtocol>>;
  /** Overrides of the scheduler settings derived from the configuration (tests). */
  settings?: Partial<SchedulerSettings>;
  /** Overrides of the pacer's (tests, benchmarks). */
  pacer?: Omit<ProviderPacerOptions, 'database'>;
  /** Per-attempt timeout of provider calls, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /** @default the process's breaker registry */
  breakers?: ProviderBreakerRegistry;
}

export interface ProviderSubscriptions {
  service: SubscriptionService;
  scheduler: SubscriptionScheduler;
  /** Starts the scheduler loop (when `SUBSCRIPTION_SCHEDULER` is on) and the metrics. */
  start(): void;
  close(): Promise<void>;
}

/** Wires store, pacer, protocols, scheduler and service from plain values (src/app.ts). */
export function createProviderSubscriptions(options: ProviderSubscriptionsOptions): ProviderSubscriptions {
  const { database, config } = options;
  const clock = options.clock ?? Date.now;
  const protocols: Record<string, SubscriptionProtocol> = {
    // Entries that describe their subscriptions as data (the sandbox); a module of code wins over a description.
    ...Object.fromEntries(
      listResolvedProviders(config).flatMap((provider) => {
        const api = provider.definition.subscriptionApi;
        return api ? [[provider.id, createGenericProtocol(provider, api)]] : [];
      }),
    ),
    microsoft: createMicrosoftGraphProtocol(),
    google: createGoogleProtocol(config.subscriptions.googlePubSub),
    asana: createAsanaProtocol(),
    ...options.protocols,
  };
  const clients = new Map<string, ResilientHttpClient>();
  /** How each provider's errors read (Google's 403 rate limits); others by their common shapes. */
  const errorReaders: Readonly<Record<string, ProviderErrorReader>> = { google: readGoogleError, microsoft: readGraphError };
  const providers: ProviderAccess = {
    protocol: (provider) => protocols[provider],
    http: (provider) => {
      let client = clients.get(provider);
      if (!client) {
        // One attempt per call: the scheduler is the retry loop (paced, backed off, durable).
        client = new ResilientHttpClient({
          name: provider,
          retry: { maxAttempts: 1 },
          ...(errorReaders[provider] && { readError: errorReaders[provider] }),
          timeout: options.requestTimeoutMs ?? 10_000,
          logger: options.logger,
          ...(options.breakers ? { breakers: options.breakers } : {}),
        });
        clients.set(provider, client);
      }
      return client;
    },
    apiBaseUrl: (provider) => (isKnownProvider(provider, config) ? resolveProvider(provider, config).apiBaseUrl : ''),
  };

  const store = new SubscriptionStore(database, options.cipher);
  const pacer = new ProviderPacer({ database, initialRate: config.subscriptions.initialRatePerSecond, ...options.pacer });
  const publish = (row: ProviderSubscriptionRow) => options.pubsub.publish('providerSubscriptionChanged', toProviderSubscriptionSnapshot(row));
  const scheduler = new SubscriptionScheduler({
    store,
    providers,
    providerIds: Object.keys(protocols),
    withAccessToken: options.withAccessToken,
    pacer,
    publicUrl: config.publicUrl,
    publish,
    clock,
    logger: options.logger,
    settings: {
      pollIntervalMs: config.subscriptions.pollIntervalMs,
      leaseMs: config.subscriptions.leaseSeconds * 1000,
      concurrency: config.subscriptions.concurrency,
      retryMaxMs: config.subscriptions.retryMaxMinutes * 60_000,
      failAfterMs: config.subscriptions.failAfterMinutes * 60_000,
      reconcileMs: config.subscriptions.reconcileMinutes * 60_000,
      ...options.settings,
    },
  });
  const service = new SubscriptionService({ database, store, scheduler, providers, config, publish, clock, logger: options.logger });

  return {
    service,
    scheduler,
    start() {
      setSubscriptionFiguresSource(() => readFigures(database));
      if (config.subscriptions.scheduler) scheduler.start();
    },
    async close() {
      pacer.close();
      await scheduler.close();
      setSubscriptionFiguresSource(null);
    },
  };
}

async function readFigures(database: Database): Promise<SubscriptionFigures> {
  return database.asSystem(async (em) => {
    const byStatus = await em.execute<{ provider: string; status: string; n: string }[]>(
      `select provider, status, count(*) as n from provider_subscriptions group by provider, status`,
    );
    const soonest = await em.execute<{ provider: string; expires_at: string }[]>(
      `select provider, min(expires_at) as expires_at from provider_subscriptions where status <> 'stopped' and expires_at is not null group by provider`,
    );
    return {
      byStatus: byStatus.map((row) => ({ provider: row.provider, status: row.status, count: Number(row.n) })),
      soonestExpiry: soonest.map((row) => ({ provider: row.provider, expiresAt: new Date(row.expires_at) })),
    };
  });
}
