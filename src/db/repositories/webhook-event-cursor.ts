import { AppError, ErrorCode } from '../../errors/app-error.js';
import { isUuid } from '../organization-id.js';

/** Position in the (created_at DESC, id DESC) order of webhook events. Opaque to clients. */
export interface WebhookEventCursor {
  createdAt: Date;
  id: string;
}

export function encodeWebhookEventCursor(cursor: WebhookEventCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url');
}

export function decodeWebhookEventCursor(value: string): WebhookEventCursor {
  const [iso, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'after is not a valid cursor');
  }
  return { createdAt, id };
}
