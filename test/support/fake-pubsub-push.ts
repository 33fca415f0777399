import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { deliver, type Delivery, type DeliveryContext } from './fake-delivery.js';

/** A push subscription: where Pub/Sub POSTs a topic's messages, and the identity it signs them as. */
export interface PushSubscription {
  /** `projects/{project}/subscriptions/{name}` */
  name: string;
  topic: string;
  pushEndpoint: string;
  /**
   * The `aud` of the token. Pub/Sub uses the push endpoint URL when none is configured:
   * https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions
   */
  audience?: string;
  /** The service account the token is issued for (its `email` claim). */
  serviceAccountEmail: string;
}

/** What to change in one push's token, for negative tests. */
export interface PushTokenOverrides {
  audience?: string;
  issuer?: string;
  email?: string;
  emailVerified?: boolean;
  /** Seconds from now until `exp`; negative for an expired token. @default 3600 */
  expiresInSeconds?: number;
  /** Signs with a key the JWKS does not hold. */
  foreignKey?: boolean;
  /** Sends no Authorization header at all. */
  omit?: boolean;
}

/** One message's push to one subscription, through its retries. */
export interface PushOutcome {
  subscription: string;
  messageId: string;
  /** Every attempt, in order; the last is the one that was acknowledged, or the last tried. */
  attempts: Delivery[];
  acknowledged: boolean;
}

export interface FakePubSubOptions {
  delivery: DeliveryContext;
  /** Issuer of the push tokens. @default 'https://accounts.google.com' */
  issuer?: string;
  /**
   * Real milliseconds between attempts: a push answered anything but 102, 200, 201, 202 or 204
   * (https://cloud.google.com/pubsub/docs/push#receive_push) is sent again after each delay in
   * turn, so `retryDelaysMs.length + 1` attempts in all. Pub/Sub backs off from 10 s to 600 s;
   * tests want it faster.
   * @default [50, 100, 200]
   */
  retryDelaysMs?: readonly number[];
  /** Real milliseconds a push waits for its answer. @default 10000 */
  pushTimeoutMs?: number;
}

const ACK_STATUSES = new Set([102, 200, 201, 202, 204]);
const GOOGLE_ISSUER = 'https://accounts.google.com';

/**
 * Cloud Pub/Sub as far as Gmail push needs it: topics (with the members allowed to publish),
 * push subscriptions, and the push itself — a POST of
 * `{ message: { data, attributes, messageId, message_id, publishTime, publish_time }, subscription }`
 * (https://cloud.google.com/pubsub/docs/push#receive_push) carrying `Authorization: Bearer <JWT>`,
 * an OpenID Connect token signed RS256 by a key served in {@link jwks} (the fake Google serves it
 * at `/oauth2/v3/certs`, where Google serves its own), with the claims of
 * https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions: `iss`
 * https://accounts.google.com, `aud`, `azp`, `sub`, `email`, `email_verified: true`, `iat`, `exp`.
 * A push not acknowledged is retried. `iat`/`exp` are real time (a verifier checks them against
 * the real clock), not the fake clock.
 */
export class FakePubSub {
  readonly topics = new Map<string, Set<string>>();
  readonly subscriptions = new Map<string, PushSubscription>();
  readonly #delivery: DeliveryContext;
  readonly #options: FakePubSubOptions;
  readonly #keys: Promise<{ signing: CryptoKey; foreign: CryptoKey; jwk: JWK }>;
  #messageNumber = 2070443601311540;

  constructor(options: FakePubSubOptions) {
    this.#options = options;
    this.#delivery = options.delivery;
    this.#keys = (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const foreign = await generateKeyPair('RS256');
      return { signing: privateKey, foreign: foreign.privateKey, jwk: { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig', kid: 'fake-pubsub-key-1' } };
    })();
  }

  /** `projects/{project}/topics/{name}`; `publishers` are the members allowed to publish (Gmail needs `gmail-api-push@system.gserviceaccount.com`). */
  createTopic(name: string, publishers: readonly string[] = []): this {
    this.topics.set(name, new Set(publishers));
    return this;
  }

  grantPublisher(topic: string, member: string): this {
    this.topics.get(topic)?.add(member);
    return this;
  }

  canPublish(topic: string, member: string): boolean {
    return this.topics.get(topic)?.has(member) ?? false;
  }

  createPushSubscription(subscription: PushSubscription): this {
    if (!this.topics.has(subscription.topic)) throw new Error(`no topic ${subscription.topic}`);
    this.subscriptions.set(subscription.name, subscription);
    return this;
  }

  /** The JSON Web Key Set that verifies the push tokens. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.#keys).jwk] };
  }

  /** A push token for `subscription`, as Pub/Sub would send it, with `overrides` applied. */
  async token(subscription: PushSubscription, overrides: PushTokenOverrides = {}): Promise<string> {
    const keys = await this.#keys;
    const now = Math.floor(Date.now() / 1000);
    const subject = numericSubject(overrides.email ?? subscription.serviceAccountEmail);
    return new SignJWT({ azp: subject, email: overrides.email ?? subscription.serviceAccountEmail, email_verified: overrides.emailVerified ?? true })
      .setProtectedHeader({ alg: 'RS256', kid: keys.jwk.kid!, typ: 'JWT' })
      .setIssuer(overrides.issuer ?? this.#options.issuer ?? GOOGLE_ISSUER)
      .setAudience(overrides.audience ?? subscription.audience ?? subscription.pushEndpoint)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + (overrides.expiresInSeconds ?? 3600))
      .sign(overrides.foreignKey ? keys.foreign : keys.signing);
  }

  /**
   * Publishes `data` (bytes, or JSON of an object) to `topic` and pushes it to every push
   * subscription of the topic, each until acknowledged or out of retries. Resolves when all are done.
   */
  async publish(topic: string, data: Buffer | string | object, options: { attributes?: Record<string, string>; token?: PushTokenOverrides } = {}): Promise<PushOutcome[]> {
    if (!this.topics.has(topic)) throw new Error(`no topic ${topic}`);
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
    const messageId = String(this.#messageNumber++);
    const publishTime = new Date().toISOString();
    const targets = [...this.subscriptions.values()].filter((subscription) => subscription.topic === topic);
    return Promise.all(targets.map((subscription) => this.#push(subscription, messageId, publishTime, bytes, options)));
  }

  async #push(
    subscription: PushSubscription,
    messageId: string,
    publishTime: string,
    bytes: Buffer,
    options: { attributes?: Record<string, string>; token?: PushTokenOverrides },
  ): Promise<PushOutcome> {
    // Both spellings are sent: https://cloud.google.com/pubsub/docs/push#receive_push
    const body = JSON.stringify({
      message: { attributes: options.attributes ?? {}, data: bytes.toString('base64'), messageId, message_id: messageId, publishTime, publish_time: publishTime },
      subscription: subscription.name,
    });
    const delays = this.#options.retryDelaysMs ?? [50, 100, 200];
    const attempts: Delivery[] = [];
    for (let attempt = 0; ; attempt += 1) {
      const authorization: Record<string, string> = options.token?.omit ? {} : { authorization: `Bearer ${await this.token(subscription, options.token)}` };
      const delivery = await deliver(this.#delivery, {
        kind: 'push',
        url: subscription.pushEndpoint,
        headers: { 'content-type': 'application/json', 'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)', ...authorization },
        body,
        timeoutMs: this.#options.pushTimeoutMs ?? 10_000,
      });
      attempts.push(delivery);
      const acknowledged = delivery.status !== undefined && ACK_STATUSES.has(delivery.status);
      if (acknowledged || attempt >= delays.length) return { subscription: subscription.name, messageId, attempts, acknowledged };
      await sleep(delays[attempt]);
    }
  }
}

/** Google's `sub` for a service account is a 21-digit number, stable per account. */
function numericSubject(email: string): string {
  let hash = 0n;
  for (const char of email) hash = (hash * 131n + BigInt(char.codePointAt(0)!)) % 10n ** 20n;
  return `1${hash.toString().padStart(20, '0')}`;
}
