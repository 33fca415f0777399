import type { TokenCipher } from '../crypto/index.js';
import type { Database } from '../db/database.js';
import type { PubSub } from '../pubsub/topics.js';
import { registerIntegrationStatusHandlers } from './handlers/integration-status-handlers.js';
import { WebhookHandlerRegistry, type WebhookHandlerSetup } from './handlers/webhook-handler-registry.js';
import type { ProviderReceiver } from './provider-receiver.js';
import { createBullMQQueueBackend } from './queue/bullmq-queue-backend.js';
import { createDatabaseQueueBackend } from './queue/database-queue-backend.js';
import { WebhookEventStore } from './webhook-event-store.js';
import { createAsanaReceiver } from './receivers/asana-receiver.js';
import { createGooglePushReceiver } from './receivers/google-push-receiver.js';
import { createPubSubPushVerifier, type PubSubPushSettings } from './receivers/google-pubsub-push.js';
import { createMicrosoftGraphReceiver } from './receivers/microsoft-graph-receiver.js';
import { createSlackReceiver } from './receivers/slack-receiver.js';
import { createStandardWebhooksReceiver } from './receivers/standard-webhooks-receiver.js';
import type { SubscriptionSignals } from './subscription-signals.js';
import { createWebhookDirectory, type WebhookDirectory } from './webhook-directory.js';
import { createWebhookIngest, type WebhookIngest } from './webhook-ingest.js';
import { silentWebhookLogger, type WebhookLogger } from './webhook-logger.js';
import { DEFAULT_LEASE_MS, WebhookQueue, type WebhookQueueOptions } from './webhook-queue.js';

/** A custom provider id (Standard Webhooks): lower-case, URL-safe, short. */
const CUSTOM_PROVIDER_ID = /^[a-z][a-z0-9-]{0,39}$/;

export interface WebhookPipelineOptions
  extends Pick<WebhookQueueOptions, 'maxAttempts' | 'retry' | 'concurrency' | 'batchSize' | 'leaseMs' | 'sweepIntervalMs' | 'overdueGraceMs' | 'shutdownTimeoutMs' | 'ingestPriority'> {
  database: Database;
  pubsub: PubSub;
  cipher: TokenCipher;
  /** BullMQ on this Redis when set; the database as the queue otherwise. */
  redisUrl?: string | undefined;
  slackSigningSecret?: string | undefined;
  logger?: WebhookLogger;
  /** BullMQ queue name and key prefix (tests use random ones). */
  bullmq?: { queueName?: string; prefix?: string };
  /** The deployment's own handlers, registered after the built-in ones. */
  handlers?: WebhookHandlerSetup | undefined;
  /** How long ingest may take to store an event before answering 503. @default 5000 */
  ingestTimeoutMs?: number;
  /** Database backend: how often idle workers look for due events. @default 1000 */
  pollIntervalMs?: number;
  now?: () => number;
  /** Where Graph lifecycle notifications go (src/subscriptions). @default stored as events */
  subscriptionSignals?: SubscriptionSignals | undefined;
  /** Gmail notifications by authenticated Pub/Sub push (`GOOGLE_PUBSUB_*`). @default refused */
  googlePubSub?: PubSubPushSettings | undefined;
}

export interface WebhookPipeline {
  queue: WebhookQueue;
  ingest: WebhookIngest;
  directory: WebhookDirectory;
  /** Built-in handlers and `options.handlers` are registered; add more before `startWorker`. */
  handlers: WebhookHandlerRegistry;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Wires receivers, queue backend, handlers and worker from plain values (used by app.ts and worker.ts). */
export function createWebhookPipeline(options: WebhookPipelineOptions): WebhookPipeline {
  const logger = options.logger ?? silentWebhookLogger;
  const { database, pubsub } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const store = new WebhookEventStore();
  const backend = options.redisUrl
    ? createBullMQQueueBackend({ redisUrl: options.redisUrl, database, store, logger, leaseMs, ...options.bullmq })
    : createDatabaseQueueBackend({ database, store, logger, leaseMs, ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}) });
  const queue = new WebhookQueue({ ...options, backend, logger, leaseMs });
  const directory = createWebhookDirectory({ database, cipher: options.cipher });
  const now = options.now ?? Date.now;

  const receivers: Record<string, ProviderReceiver> = {
    slack: createSlackReceiver({ signingSecret: options.slackSigningSecret, directory, now }),
    microsoft: createMicrosoftGraphReceiver({ directory, signals: options.subscriptionSignals, logger }),
    google: createGooglePushReceiver({ directory, pubsub: options.googlePubSub ? createPubSubPushVerifier(options.googlePubSub) : undefined, logger }),
    asana: createAsanaReceiver({ directory }),
  };
  const standardWebhooks = createStandardWebhooksReceiver({ directory, now });
  const receiverFor = (providerId: string): ProviderReceiver | undefined =>
    receivers[providerId] ?? (CUSTOM_PROVIDER_ID.test(providerId) ? standardWebhooks : undefined);

  const handlers = new WebhookHandlerRegistry();
  registerIntegrationStatusHandlers(handlers, pubsub);
  options.handlers?.(handlers);

  return {
    queue,
    ingest: createWebhookIngest({ receiverFor, queue, logger, ...(options.ingestTimeoutMs ? { timeoutMs: options.ingestTimeoutMs } : {}) }),
    directory,
    handlers,
    startWorker: () => queue.process(handlers.handle, { handles: handlers.handles }),
    close: () => queue.close(),
  };
}
