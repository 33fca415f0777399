import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';

/** The provider-subscription variables: defaults, and bad values stopping start-up by name. */
describe('subscription configuration', () => {
  it('has defaults, and no Gmail without a topic', () => {
    expect(loadConfig({}).subscriptions).toEqual({
      scheduler: true,
      pollIntervalMs: 1000,
      leaseSeconds: 120,
      concurrency: 16,
      retryMaxMinutes: 60,
      failAfterMinutes: 30,
      reconcileMinutes: 60,
      initialRatePerSecond: 10,
      googlePubSub: undefined,
    });
  });

  it('reads the Pub/Sub settings Gmail needs', () => {
    const { googlePubSub } = loadConfig({
      GOOGLE_PUBSUB_TOPIC: 'projects/acme-integrations/topics/gmail',
      GOOGLE_PUBSUB_AUDIENCE: 'https://integrations.acme.example/webhooks/google',
      GOOGLE_PUBSUB_SERVICE_ACCOUNT: 'Gmail-Push@acme-integrations.iam.gserviceaccount.com',
    }).subscriptions;
    expect(googlePubSub).toEqual({
      topic: 'projects/acme-integrations/topics/gmail',
      audience: 'https://integrations.acme.example/webhooks/google',
      serviceAccountEmail: 'gmail-push@acme-integrations.iam.gserviceaccount.com',
      jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
    });
  });

  it.each([
    [{ SUBSCRIPTION_SCHEDULER: 'maybe' }, 'SUBSCRIPTION_SCHEDULER'],
    [{ SUBSCRIPTION_LEASE_SECONDS: '0' }, 'SUBSCRIPTION_LEASE_SECONDS'],
    [{ SUBSCRIPTION_CONCURRENCY: 'many' }, 'SUBSCRIPTION_CONCURRENCY'],
    [{ GOOGLE_PUBSUB_TOPIC: 'gmail' }, 'GOOGLE_PUBSUB_TOPIC'],
    [{ GOOGLE_PUBSUB_TOPIC: 'projects/acme-integrations/topics/gmail' }, 'GOOGLE_PUBSUB_AUDIENCE'],
    [{ GOOGLE_PUBSUB_TOPIC: 'projects/acme-integrations/topics/gmail', GOOGLE_PUBSUB_AUDIENCE: 'aud' }, 'GOOGLE_PUBSUB_SERVICE_ACCOUNT'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}:`));
  });
});
