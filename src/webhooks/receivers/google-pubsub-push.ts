import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { reject, type InboundWebhook } from '../inbound-webhook.js';
import { parseJsonObject } from '../parse-body.js';

export interface PubSubPushSettings {
  /** The audience the push subscription was given (`GOOGLE_PUBSUB_AUDIENCE`). */
  audience: string;
  /** The service account the push subscription authenticates as (`GOOGLE_PUBSUB_SERVICE_ACCOUNT`). */
  serviceAccountEmail: string;
  /** Google's OAuth 2.0 signing keys. */
  jwksUrl: string;
}

/** Google signs ID tokens with either form of its issuer (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken). */
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i;
const CLOCK_TOLERANCE_SECONDS = 30;

/** https://cloud.google.com/pubsub/docs/push#receive_push */
const pushSchema = z.object({
  message: z.looseObject({ data: z.string().optional(), messageId: z.string().min(1), publishTime: z.string().optional() }),
  subscription: z.string().optional(),
});
/** https://developers.google.com/workspace/gmail/api/guides/push#receiving_notifications */
const gmailNotificationSchema = z.object({ emailAddress: z.string().min(3), historyId: z.union([z.string(), z.number()]) });

export interface GmailPush {
  emailAddress: string;
  historyId: string;
  messageId: string;
  publishTime: string | null;
  subscription: string | null;
}

export interface PubSubPushVerifier {
  /** Verifies the push's OIDC token and reads the Gmail notification it carries; rejects (401/400) otherwise. */
  receive(request: InboundWebhook): Promise<GmailPush>;
}

/**
 * Authenticated Pub/Sub push (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions):
 * every push carries `Authorization: Bearer <Google-signed OIDC token>`, checked here with jose
 * against Google's keys: signature, issuer, our audience, the push service account's `email`
 * (and `email_verified`). Google's keys being unreachable is not the pusher's fault: it is
 * thrown as is (503: Pub/Sub delivers again).
 */
export function createPubSubPushVerifier(settings: PubSubPushSettings): PubSubPushVerifier {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl));
  return {
    async receive(request) {
      const match = BEARER.exec(request.headers.authorization ?? '');
      if (!match) return reject(401, 'Pub/Sub push without a bearer token');
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(match[1]!, keys, {
          issuer: GOOGLE_ISSUERS,
          audience: settings.audience,
          algorithms: ['RS256'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (error) {
        if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) throw error;
        return reject(401, `Pub/Sub push token rejected (${error.code})`);
      }
      if (typeof payload.email !== 'string' || payload.email.toLowerCase() !== settings.serviceAccountEmail || payload.email_verified !== true) {
        return reject(401, 'Pub/Sub push token not issued to the configured service account');
      }
      const push = pushSchema.safeParse(parseJsonObject(request.rawBody));
      if (!push.success) return reject(400, 'malformed Pub/Sub push body');
      let data: unknown;
      try {
        data = JSON.parse(Buffer.from(push.data.message.data ?? '', 'base64').toString('utf8'));
      } catch {
        return reject(400, 'Pub/Sub message data is not JSON');
      }
      const notification = gmailNotificationSchema.safeParse(data);
      if (!notification.success) return reject(400, 'Pub/Sub message is not a Gmail notification');
      return {
        emailAddress: notification.data.emailAddress.toLowerCase(),
        historyId: String(notification.data.historyId),
        messageId: push.data.message.messageId,
        publishTime: push.data.message.publishTime ?? null,
        subscription: push.data.subscription ?? null,
      };
    },
  };
}
