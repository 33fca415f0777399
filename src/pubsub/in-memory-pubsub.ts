import { LocalListeners } from './local-listeners.js';
import { createSubscriptionIterator } from './subscription-iterator.js';
import type { OrganizationWatch, OrganizationWatcher, PubSub, TopicName, Topics } from './topics.js';

const channelOf = (topic: TopicName, organizationId: string): string => `${topic}:${organizationId}`;

/**
 * Pub/sub inside one process (no REDIS_URL). Messages go through JSON like on Redis, so a
 * subscriber sees the same shapes (ISO date strings) whichever implementation runs, and can
 * never mutate the publisher's object.
 */
export class InMemoryPubSub implements PubSub {
  private readonly listeners = new LocalListeners<unknown>();
  private readonly watchers = new Set<OrganizationWatcher>();
  /** Aborted by close(): ends every open subscription. */
  private readonly lifetime = new AbortController();

  async publish<T extends TopicName>(topic: T, message: Topics[T]): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    const copy: unknown = JSON.parse(JSON.stringify(message));
    // Asynchronous like a network round trip: a publisher never runs subscriber code on its stack.
    queueMicrotask(() => {
      this.listeners.deliver(channelOf(topic, message.organizationId), copy);
      for (const watcher of this.watchers) watcher.changed(message.organizationId);
    });
  }

  /** In one process nothing can be missed: live until stopped (as on Redis) or closed. */
  watchOrganizations(watcher: OrganizationWatcher): OrganizationWatch {
    this.watchers.add(watcher);
    return { live: () => this.watchers.has(watcher), stop: () => void this.watchers.delete(watcher) };
  }

  subscribe<T extends TopicName>(topic: T, organizationId: string, signal?: AbortSignal): AsyncIterableIterator<Topics[T]> {
    const channel = channelOf(topic, organizationId);
    return createSubscriptionIterator<Topics[T]>(
      (push) => {
        const listener = (message: unknown) => push(message as Topics[T]);
        this.listeners.add(channel, listener);
        return () => void this.listeners.remove(channel, listener);
      },
      signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal,
    );
  }

  async close(): Promise<void> {
    this.lifetime.abort();
    this.listeners.clear();
    this.watchers.clear();
  }
}
