import type { BearerTokens } from './fake-bearer-tokens.js';
import { DAY } from './fake-clock.js';
import { googleEmailOf } from './fake-google-accounts.js';
import { googleApiError } from './fake-google-errors.js';
import { contentType, type FakeProviderServer } from './fake-provider-server.js';
import type { FakePubSub, PushOutcome } from './fake-pubsub-push.js';

/** The service account Gmail publishes as; a topic must let it publish. */
export const GMAIL_PUBLISHER = 'gmail-api-push@system.gserviceaccount.com';

/** A mailbox watch as the fake holds it. */
export interface GmailWatch {
  principal: string;
  topicName: string;
  labelIds: readonly string[];
  labelFilterBehavior: 'include' | 'exclude';
  /** Epoch ms on the fake clock. */
  expiresAt: number;
}

export interface GmailWatchOptions {
  tokens: BearerTokens;
  pubsub: FakePubSub;
  /** The Cloud project topics must belong to. @default 'integrations-test' */
  projectId?: string;
  /**
   * How `historyId` is written in the notification's data. Gmail's guide shows a string
   * (`"historyId": "9876543210"`), mailboxes send a number; a receiver should take both.
   * @default 'number'
   */
  historyIdAs?: 'number' | 'string';
}

export interface GmailWatchController {
  /** Watches by principal (expired ones included; see {@link isWatching}). */
  readonly watches: ReadonlyMap<string, GmailWatch>;
  isWatching(principal?: string): boolean;
  /** The principal's current mailbox history id. */
  historyId(principal?: string): string;
  /**
   * Mail arrives with `labelIds`: the history id moves on, and when a live watch's label filter
   * lets it through, Gmail's notification is published to the watch's topic.
   */
  receiveMail(options?: { principal?: string; labelIds?: readonly string[] }): Promise<PushOutcome[]>;
}

/** "You must call watch at least once every 7 days or you'll stop receiving updates." */
const WATCH_LIFETIME = 7 * DAY;

/**
 * Gmail push notifications on a fake www.googleapis.com:
 * https://developers.google.com/workspace/gmail/api/guides/push
 *
 * - `POST /gmail/v1/users/me/watch` `{ topicName, labelIds, labelFilterBehavior }` answers
 *   `{ historyId, expiration }` (strings; expiration 7 days on the fake clock), refusing a topic
 *   outside the project (400), one Pub/Sub does not know (404) or one Gmail may not publish to
 *   (403). The answer's historyId is where changes start; nothing is published until one happens.
 * - `POST /gmail/v1/users/me/stop` answers 204 and ends the watch.
 * - Notifications are Pub/Sub messages whose data is the JSON `{ emailAddress, historyId }`;
 *   pushed by {@link FakePubSub} with its signed token.
 */
export function installGmailWatch(server: FakeProviderServer, options: GmailWatchOptions): GmailWatchController {
  const { tokens, pubsub } = options;
  const clock = server.clock;
  const projectId = options.projectId ?? 'integrations-test';
  const watches = new Map<string, GmailWatch>();
  const history = new Map<string, number>();
  const unauthenticated = googleApiError(401, 'authError', 'Invalid Credentials');
  const isWatching = (principal: string): boolean => (watches.get(principal)?.expiresAt ?? 0) > clock.now();
  const historyOf = (principal: string): number => history.get(principal) ?? 1234567;

  const notify = (principal: string): Promise<PushOutcome[]> => {
    const watch = watches.get(principal)!;
    const historyId = historyOf(principal);
    return pubsub.publish(watch.topicName, { emailAddress: googleEmailOf(principal), historyId: options.historyIdAs === 'string' ? String(historyId) : historyId });
  };

  server.route('POST', '/gmail/v1/users/me/watch', (request, check) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthenticated;
    check(contentType(request) === 'application/json', 'users.watch takes a JSON WatchRequest');
    const body = request.json() as { topicName?: unknown; labelIds?: unknown; labelFilterBehavior?: unknown; labelFilterAction?: unknown };
    const topicName = typeof body.topicName === 'string' ? body.topicName : '';
    if (!new RegExp(`^projects/${projectId}/topics/[^/]+$`).test(topicName)) {
      return googleApiError(400, 'invalidArgument', `Invalid topicName does not match projects/${projectId}/topics/*`);
    }
    if (!pubsub.topics.has(topicName)) return googleApiError(404, 'notFound', `Resource not found (resource=${topicName.split('/').pop()}).`);
    if (!pubsub.canPublish(topicName, GMAIL_PUBLISHER)) return googleApiError(403, 'forbidden', 'User not authorized to perform this action.');
    const labelIds = Array.isArray(body.labelIds) ? body.labelIds.filter((label): label is string => typeof label === 'string') : [];
    // The enum is `include`/`exclude`; the guide writes INCLUDE. `labelFilterAction` is its deprecated name.
    const behavior = String(body.labelFilterBehavior ?? body.labelFilterAction ?? 'include').toLowerCase();
    if (behavior !== 'include' && behavior !== 'exclude') return googleApiError(400, 'invalidArgument', `Invalid value at 'labelFilterBehavior': ${behavior}`);
    const watch: GmailWatch = { principal, topicName, labelIds, labelFilterBehavior: behavior, expiresAt: clock.now() + WATCH_LIFETIME };
    watches.set(principal, watch);
    // Only the answer: the users.watch reference and the push guide promise notifications for
    // mailbox changes, not one when the watch starts, so a receiver must not wait for one.
    return { json: { historyId: String(historyOf(principal)), expiration: String(watch.expiresAt) } };
  });

  server.route('POST', '/gmail/v1/users/me/stop', (request) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthenticated;
    watches.delete(principal);
    return { status: 204 };
  });

  return {
    watches,
    isWatching: (principal = 'default') => isWatching(principal),
    historyId: (principal = 'default') => String(historyOf(principal)),
    async receiveMail({ principal = 'default', labelIds = ['INBOX', 'UNREAD'] } = {}) {
      history.set(principal, historyOf(principal) + 1 + Math.floor(labelIds.length / 2));
      const watch = watches.get(principal);
      if (!watch || !isWatching(principal)) return [];
      const listed = labelIds.some((label) => watch.labelIds.includes(label));
      const passes = watch.labelIds.length === 0 || (watch.labelFilterBehavior === 'include' ? listed : !listed);
      if (!passes) return [];
      return notify(principal);
    },
  };
}
