import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createTokenCipher, createKeyRing, type TokenCipher } from '../../../src/crypto/index.js';
import type { Database } from '../../../src/db/database.js';
import type { InboundWebhook } from '../../../src/webhooks/inbound-webhook.js';

export const SLACK_SIGNING_SECRET = 'test-slack-signing-secret-0123456789';

export const testCipher = (): TokenCipher => createTokenCipher(createKeyRing([{ id: 'test', key: randomBytes(32) }]));

/** Inserts a connected integration and returns its id. */
export async function insertIntegration(
  database: Database,
  organizationId: string,
  providerId: string,
  externalAccountId: string | null = null,
): Promise<string> {
  const rows = await database.asSystem((em) =>
    em.execute<{ id: string }[]>(
      `insert into integrations (organization_id, provider_id, provider_name, external_account_id, status)
       values (?, ?, ?, ?, 'connected') returning id`,
      [organizationId, providerId, providerId, externalAccountId],
    ),
  );
  return rows[0]!.id;
}

export const countEvents = async (database: Database, where = 'true', params: unknown[] = []): Promise<number> => {
  const rows = await database.asSystem((em) => em.execute<{ n: string }[]>(`select count(*) as n from webhook_events where ${where}`, params));
  return Number(rows[0]!.n);
};

export const eventRows = (database: Database, organizationId: string) =>
  database.asSystem((em) =>
    em.execute<{ id: string; status: string; attempts: number; event_type: string; error_message: string | null; delivery_id: string; payload: Record<string, unknown> }[]>(
      `select * from webhook_events where organization_id = ? order by created_at, id`,
      [organizationId],
    ),
  );

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Slack's v0 signature headers for `body`. */
export function slackHeaders(body: string, options: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const timestamp = String(options.timestamp ?? nowSeconds());
  const signature = createHmac('sha256', options.secret ?? SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${signature}` };
}

export function slackEvent(teamId: string, eventType = 'message', eventId = `Ev${randomUUID()}`, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0TEST',
    type: 'event_callback',
    event_id: eventId,
    event_time: nowSeconds(),
    event: { type: eventType, user: 'U123', text: 'hello', ts: '1700000000.000100', ...extra },
  });
}

/** Standard Webhooks signature entry for `body`. */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export function inbound(providerId: string, body: string | Buffer, headers: Record<string, string> = {}, query = '', contentType = 'application/json'): InboundWebhook {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { providerId, headers: lower, query: new URLSearchParams(query), rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body), contentType };
}
