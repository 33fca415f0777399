import type { Config } from '../config.js';
import { createKeyRing } from '../crypto/key-ring.js';
import { createTokenCipher } from '../crypto/token-sealing.js';
import type { WebhookPipelineOptions } from './webhook-pipeline.js';

export type ConfiguredPipelineOptions = Pick<WebhookPipelineOptions, 'cipher' | 'redisUrl' | 'slackSigningSecret' | 'concurrency' | 'maxAttempts' | 'bullmq' | 'googlePubSub'>;

/**
 * The pipeline options that come from configuration. The server (src/app.ts) and the standalone
 * worker (src/worker.ts) must build their pipelines alike, or a worker would process with other
 * attempts, backend, secrets or queue keys than the instances that ingest.
 */
export function configuredPipelineOptions(config: Config): ConfiguredPipelineOptions {
  return {
    cipher: createTokenCipher(createKeyRing(config.encryptionKeys)),
    redisUrl: config.redisUrl,
    slackSigningSecret: config.providers.slack?.signingSecret,
    concurrency: config.webhooks.workerConcurrency,
    maxAttempts: config.webhooks.maxAttempts,
    googlePubSub: config.subscriptions.googlePubSub,
    // Queue keys share the pub/sub namespace, so deployments (and test runs) on one Redis never meet.
    bullmq: { prefix: config.redisPrefix },
  };
}
