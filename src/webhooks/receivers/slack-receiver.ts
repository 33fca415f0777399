import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { reject, type InboundWebhook } from '../inbound-webhook.js';
import { digestDeliveryId, parseJsonObject } from '../parse-body.js';
import type { ProviderReceiver, ReceiveResult } from '../provider-receiver.js';
import type { VerifiedDelivery } from '../routed-integration.js';
import type { WebhookDirectory } from '../webhook-directory.js';

/** https://api.slack.com/authentication/verifying-requests-from-slack: requests older than 5 minutes are replays. */
const REPLAY_WINDOW_SECONDS = 5 * 60;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

const urlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) });

/** Events API envelope: https://api.slack.com/apis/connections/events-api#callback-field */
const eventCallback = z.object({
  type: z.literal('event_callback'),
  team_id: z.string().min(1).optional(),
  api_app_id: z.string().optional(),
  event_id: z.string().min(1),
  event: z.looseObject({ type: z.string().min(1) }),
  authorizations: z.array(z.looseObject({ team_id: z.string().nullish(), enterprise_id: z.string().nullish() })).optional(),
});

/** Interactivity payload (`payload=` form field): https://api.slack.com/interactivity/handling#payloads */
const interaction = z.looseObject({
  type: z.string().min(1),
  team: z.looseObject({ id: z.string().min(1) }).nullish(),
  user: z.looseObject({ team_id: z.string().optional() }).optional(),
});

export interface SlackReceiverOptions {
  /** SLACK_SIGNING_SECRET; when unset Slack webhooks are not configured (404). */
  signingSecret: string | undefined;
  directory: WebhookDirectory;
  now?: () => number;
}

interface SlackEnvelope {
  teamId: string | undefined;
  eventType: string;
  payload: Record<string, unknown>;
  deliveryId: string;
}

function verifySignature(request: InboundWebhook, signingSecret: string, nowSeconds: number): void {
  const timestamp = request.headers['x-slack-request-timestamp'];
  const signature = request.headers['x-slack-signature'];
  if (!timestamp || !signature) reject(401, 'missing Slack signature headers');
  if (!/^\d{1,12}$/.test(timestamp!)) reject(401, 'malformed Slack timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > REPLAY_WINDOW_SECONDS) reject(401, 'Slack timestamp outside the replay window');
  if (!SIGNATURE.test(signature!)) reject(401, 'malformed Slack signature');
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(request.rawBody).digest();
  // Both are 32 bytes (the format was checked above), so they compare directly in constant time.
  if (!timingSafeEqual(expected, Buffer.from(signature!.slice(3), 'hex'))) reject(401, 'Slack signature mismatch');
}

/**
 * The payload as stored and served: without Slack's legacy verification `token`, which is the
 * same for every workspace of the app (a credential of the deployment, not of an organization)
 * and which every organization reading its events would otherwise see.
 */
function withoutVerificationToken(payload: Record<string, unknown>): Record<string, unknown> {
  const { token: _appWide, ...stored } = payload;
  return stored;
}

/** Slack sends JSON (Events API) or a form: `payload=<json>` for interactivity, plain fields for slash commands. */
function parseEnvelope(request: InboundWebhook): SlackEnvelope | { reply: ReceiveResult } {
  if (request.contentType.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(request.rawBody.toString('utf8'));
    if (form.get('ssl_check') === '1') return { reply: { reply: { status: 200 }, deliveries: [] } };
    const rawPayload = form.get('payload');
    if (rawPayload !== null) {
      const parsed = interaction.safeParse(parseJsonObject(Buffer.from(rawPayload, 'utf8')));
      if (!parsed.success) return reject(400, 'malformed Slack interaction payload');
      const payload = withoutVerificationToken(parsed.data as Record<string, unknown>);
      return { teamId: parsed.data.team?.id ?? parsed.data.user?.team_id, eventType: parsed.data.type, payload, deliveryId: digestDeliveryId(request.rawBody.toString('utf8')) };
    }
    const command = Object.fromEntries(form);
    if (!command.command || !command.team_id) return reject(400, 'malformed Slack form body');
    return { teamId: command.team_id, eventType: 'slash_command', payload: withoutVerificationToken(command), deliveryId: command.trigger_id ?? digestDeliveryId(request.rawBody.toString('utf8')) };
  }
  const body = parseJsonObject(request.rawBody);
  // Checked by type first: a failed zod parse builds an error, and nearly every request is an event.
  const verification = body.type === 'url_verification' ? urlVerification.safeParse(body) : undefined;
  if (verification?.success) {
    return { reply: { reply: { status: 200, headers: { 'content-type': 'text/plain' }, body: verification.data.challenge }, deliveries: [] } };
  }
  if (body.type === 'app_rate_limited') return { reply: { reply: { status: 200 }, deliveries: [] } };
  const parsed = eventCallback.safeParse(body);
  if (!parsed.success) return reject(400, 'malformed Slack event envelope');
  const teamId = parsed.data.team_id ?? parsed.data.authorizations?.[0]?.team_id ?? parsed.data.authorizations?.[0]?.enterprise_id ?? undefined;
  // X-Slack-Retry-Num re-deliveries carry the same event_id: the unique delivery id makes them duplicates.
  return { teamId, eventType: parsed.data.event.type, payload: withoutVerificationToken(body), deliveryId: parsed.data.event_id };
}

/**
 * Slack: signed with the app's signing secret (v0 scheme), routed by workspace (`team_id`) to
 * every live integration whose external account is that workspace. An event for a workspace
 * nobody connected is acknowledged (200) and dropped: a non-2xx would make Slack retry and
 * eventually disable the app's event subscription.
 */
export function createSlackReceiver({ signingSecret, directory, now = Date.now }: SlackReceiverOptions): ProviderReceiver {
  return {
    async receive(request) {
      if (!signingSecret) return reject(404, 'Slack is not configured');
      verifySignature(request, signingSecret, Math.floor(now() / 1000));
      const envelope = parseEnvelope(request);
      if ('reply' in envelope) return envelope.reply;
      const integrations = envelope.teamId ? await directory.integrationsForAccount('slack', envelope.teamId) : [];
      const deliveries: VerifiedDelivery[] = integrations.map((integration) => ({
        ...integration,
        eventType: envelope.eventType,
        payload: envelope.payload,
        deliveryId: envelope.deliveryId,
      }));
      return { reply: { status: 200 }, deliveries };
    },
  };
}
