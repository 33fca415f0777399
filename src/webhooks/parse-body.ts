import { createHash } from 'node:crypto';
import { reject } from './inbound-webhook.js';

/** The body as a JSON object, or 400. Arrays and scalars are not webhook envelopes. */
export function parseJsonObject(rawBody: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return reject(400, 'body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return reject(400, 'body is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * A stable id for a delivery whose provider sends none (Graph notifications, Asana events):
 * the same event re-delivered hashes the same, so it is stored once.
 */
export const digestDeliveryId = (value: unknown): string =>
  createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex');
