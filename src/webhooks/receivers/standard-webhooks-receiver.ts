import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../constant-time.js';
import { reject, type InboundWebhook } from '../inbound-webhook.js';
import { parseJsonObject } from '../parse-body.js';
import type { ProviderReceiver } from '../provider-receiver.js';
import type { WebhookDirectory } from '../webhook-directory.js';

/** Standard Webhooks recommends a tolerance of a few minutes either way for the timestamp. */
const TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';
const MAX_SIGNATURES = 16;

/** A Standard Webhooks secret's key: the base64 after `whsec_` (a bare base64 secret is accepted too). */
export const standardWebhookKey = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');

/** The base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`: what a `v1,` signature entry carries. */
export const standardWebhookSignature = (key: Buffer, id: string, timestamp: string, body: Buffer | string): string =>
  createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');

/**
 * Verifies a delivery signed per the Standard Webhooks specification
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` with the base64 key after
 * `whsec_`, sent as space-separated `v1,<base64>` entries; any one matching entry suffices,
 * which is how a sender rotates keys. Entries of other versions are ignored. Throws 401.
 */
export function verifyStandardWebhook(request: Pick<InboundWebhook, 'headers' | 'rawBody'>, secret: string, nowSeconds: number): void {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const header = request.headers['webhook-signature'];
  if (!id || !timestamp || !header) reject(401, 'missing Standard Webhooks headers');
  if (!/^\d{1,12}$/.test(timestamp!)) reject(401, 'malformed webhook-timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) reject(401, 'webhook-timestamp outside the tolerance');
  const key = standardWebhookKey(secret);
  if (key.length === 0) reject(401, 'endpoint secret unusable');
  const expected = standardWebhookSignature(key, id!, timestamp!, request.rawBody);

  const entries = header!.split(' ').filter(Boolean).slice(0, MAX_SIGNATURES);
  let matched = false;
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma <= 0 || entry.slice(0, comma) !== 'v1') continue;
    // Every entry is compared (no early exit), so timing does not reveal which one matched.
    if (constantTimeEqual(expected, entry.slice(comma + 1))) matched = true;
  }
  if (!matched) reject(401, 'no valid Standard Webhooks signature');
}

export interface StandardWebhooksReceiverOptions {
  directory: WebhookDirectory;
  now?: () => number;
}

/**
 * Custom providers: `POST /webhooks/<providerId>/<endpoint id>` (or `?hook=<endpoint id>`), the endpoint holding the
 * `whsec_` secret. The `webhook-id` is the delivery id, and the payload's `type` the event type.
 */
export function createStandardWebhooksReceiver({ directory, now = Date.now }: StandardWebhooksReceiverOptions): ProviderReceiver {
  return {
    async receive(request) {
      const hook = request.hook ?? request.query.get('hook');
      if (!hook) return reject(404, 'missing hook id');
      const endpoint = await directory.endpoint(request.providerId, hook);
      if (!endpoint?.secret) return reject(404, 'unknown webhook endpoint');
      verifyStandardWebhook(request, endpoint.secret, Math.floor(now() / 1000));
      const body = parseJsonObject(request.rawBody);
      const eventType = typeof body.type === 'string' && body.type.length > 0 ? body.type : 'webhook';
      return {
        reply: { status: 204 },
        deliveries: [{ integrationId: endpoint.integrationId, organizationId: endpoint.organizationId, eventType, payload: body, deliveryId: request.headers['webhook-id']!, subscriptionId: endpoint.subscriptionId }],
      };
    },
  };
}
