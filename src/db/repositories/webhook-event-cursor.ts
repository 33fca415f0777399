import { AppError, ErrorCode } from '../../errors/app-error.js';
import { isUuid } from '../organization-id.js';

/**
 * Position in the (created_at DESC, id DESC) order of webhook events. Opaque to clients.
 * `createdAt` is the timestamp's exact text as PostgreSQL printed it (microseconds included),
 * compared back as `timestamptz`: a cursor rounded to JavaScript's milliseconds would skip the
 * rows that share its millisecond. Cursors of the earlier millisecond ISO form still decode.
 */
export interface WebhookEventCursor {
  createdAt: string;
  id: string;
}

/** PostgreSQL's ISO output (`2026-01-01 10:00:00.123456+00`) or ISO 8601 (`2026-01-01T10:00:00.123Z`). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2}){0,2})$/;

export function encodeWebhookEventCursor(cursor: WebhookEventCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

export function decodeWebhookEventCursor(value: string): WebhookEventCursor {
  const [createdAt, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !id || !isUuid(id) || !createdAt || !TIMESTAMP.test(createdAt) || Number.isNaN(new Date(createdAt).getTime())) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'after is not a valid cursor');
  }
  return { createdAt, id };
}
