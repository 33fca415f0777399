import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * A Slack Events API delivery (`event_callback` with a `message` event) for `team`, signed with
 * `signingSecret` the way Slack signs (v0 HMAC-SHA256 over `v0:<timestamp>:<body>`): what the
 * webhook benchmarks post to `/webhooks/slack`.
 */
export function signedSlackEvent(signingSecret: string, team: string, eventId: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    token: 'bench',
    team_id: team,
    api_app_id: 'ABENCH',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel: 'C0BENCH', user: 'U0BENCH', text: 'benchmark message', ts: `${Date.now() / 1000}` },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
}

/** Removes a run's keys (`<prefix>:*`) from the shared Redis (never a FLUSHALL). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  }
  redis.disconnect();
}
