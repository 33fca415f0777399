import { Redis } from 'ioredis';
import { closeWithin, REDIS_CLOSE_TIMEOUT_MS } from '../close-within.js';
import type { Logger } from 'pino';
import { LocalListeners } from './local-listeners.js';
import { createSubscriptionIterator } from './subscription-iterator.js';
import type { OrganizationWatch, OrganizationWatcher, PubSub, TopicName, Topics } from './topics.js';

export interface RedisPubSubOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Namespace of the channels, so deployments (and test runs) sharing a Redis never meet. @default 'integrations' */
  prefix?: string;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

/**
 * Pub/sub across instances on Redis: channel `${prefix}:${topic}:${organizationId}`, JSON
 * messages. One connection publishes; one subscribes (a Redis connection in subscriber mode can
 * run nothing else) and holds one Redis subscription per channel that has local listeners,
 * fanning each message out to them. ioredis re-subscribes by itself after a reconnect.
 */
export class RedisPubSub implements PubSub {
  readonly prefix: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new LocalListeners<unknown>();
  private readonly lifetime = new AbortController();
  private readonly logger: Pick<Logger, 'warn' | 'error'> | undefined;
  private readonly watchers = new Set<OrganizationWatcher>();
  /** The watch pattern's PSUBSCRIBE is confirmed on the current subscriber connection. */
  private watchLive = false;

  constructor(options: RedisPubSubOptions) {
    this.prefix = options.prefix ?? 'integrations';
    this.logger = options.logger;
    const connection = { lazyConnect: false, enableAutoPipelining: true, connectionName: `${this.prefix}:pubsub` };
    this.publisher = new Redis(options.url, connection);
    this.subscriber = new Redis(options.url, connection);
    for (const [role, client] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      // Without a listener, ioredis prints connection errors itself; the URL may hold a password.
      client.on('error', (error: Error) => this.logger?.warn({ err: { message: error.message }, role }, 'redis pub/sub connection error'));
    }
    this.subscriber.on('message', (channel: string, raw: string) => this.onMessage(channel, raw));
    this.subscriber.on('pmessage', (_pattern: string, channel: string) => this.onWatchedMessage(channel));
    // Whatever was published while the connection was down is lost to this instance.
    this.subscriber.on('close', () => {
      if (!this.watchLive) return;
      this.watchLive = false;
      for (const watcher of this.watchers) watcher.gap();
    });
    this.subscriber.on('ready', () => {
      if (this.watchers.size > 0) this.confirmWatch();
    });
  }

  /** The Redis channel a topic uses for one organization. */
  channel(topic: TopicName, organizationId: string): string {
    return `${this.prefix}:${topic}:${organizationId}`;
  }

  async publish<T extends TopicName>(topic: T, message: Topics[T]): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    await this.publisher.publish(this.channel(topic, message.organizationId), JSON.stringify(message));
  }

  subscribe<T extends TopicName>(topic: T, organizationId: string, signal?: AbortSignal): AsyncIterableIterator<Topics[T]> {
    const channel = this.channel(topic, organizationId);
    return createSubscriptionIterator<Topics[T]>(
      (push) => {
        const listener = (message: unknown) => push(message as Topics[T]);
        // Commands on one connection run in order, so a SUBSCRIBE after an UNSUBSCRIBE of the same
        // channel (a listener leaving as another arrives) leaves the channel subscribed.
        if (this.listeners.add(channel, listener)) {
          this.subscriber.subscribe(channel).catch((error: Error) => this.logger?.error({ err: { message: error.message }, channel }, 'redis SUBSCRIBE failed'));
        }
        return () => {
          if (this.listeners.remove(channel, listener) && !this.lifetime.signal.aborted) {
            this.subscriber.unsubscribe(channel).catch(() => undefined);
          }
        };
      },
      signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal,
    );
  }

  /**
   * One PSUBSCRIBE to every channel of this prefix serves all watchers. ioredis re-subscribes it
   * after a reconnect by itself, but a watch is only live again once Redis has confirmed it:
   * until then, messages may be missing.
   */
  watchOrganizations(watcher: OrganizationWatcher): OrganizationWatch {
    this.watchers.add(watcher);
    if (this.watchers.size === 1) this.confirmWatch();
    return {
      live: () => this.watchLive && this.watchers.has(watcher),
      stop: () => {
        if (!this.watchers.delete(watcher) || this.watchers.size > 0) return;
        this.watchLive = false;
        if (!this.lifetime.signal.aborted) this.subscriber.punsubscribe(this.watchPattern()).catch(() => undefined);
      },
    };
  }

  /** Glob metacharacters in the prefix are escaped: the pattern must match this prefix's channels only. */
  private watchPattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  }

  private confirmWatch(): void {
    this.subscriber.psubscribe(this.watchPattern()).then(
      () => {
        if (this.watchers.size > 0 && this.subscriber.status === 'ready') this.watchLive = true;
      },
      (error: Error) => this.logger?.error({ err: { message: error.message } }, 'redis PSUBSCRIBE failed; read caches stay off'),
    );
  }

  /** The organization is the channel's last segment (`prefix:topic:organizationId`). */
  private onWatchedMessage(channel: string): void {
    const organizationId = channel.slice(channel.lastIndexOf(':') + 1);
    for (const watcher of this.watchers) watcher.changed(organizationId);
  }

  /** Throws when Redis does not answer (readiness). */
  async ping(): Promise<void> {
    await this.publisher.ping();
  }

  /** Ends every subscription and closes both connections. */
  async close(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    this.lifetime.abort();
    this.listeners.clear();
    this.watchers.clear();
    this.watchLive = false;
    // QUIT waits for Redis to answer, so only briefly; a connection that is down (retrying) is simply dropped.
    await Promise.all(
      [this.publisher, this.subscriber].map((client) =>
        client.status === 'ready' ? closeWithin(client.quit(), REDIS_CLOSE_TIMEOUT_MS, () => client.disconnect()) : client.disconnect(),
      ),
    );
  }

  private onMessage(channel: string, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      this.logger?.warn({ channel }, 'dropped a pub/sub message that is not JSON');
      return;
    }
    // Only our own publishers write these channels; the organization check keeps a stray writer
    // from leaking one organization's message into another's channel.
    const organizationId = (message as { organizationId?: unknown } | null)?.organizationId;
    if (typeof organizationId !== 'string' || !channel.endsWith(`:${organizationId}`)) {
      this.logger?.warn({ channel }, 'dropped a pub/sub message whose organization does not match its channel');
      return;
    }
    this.listeners.deliver(channel, message);
  }
}
