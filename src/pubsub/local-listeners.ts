import { LatestVersions } from './latest-versions.js';

interface Channel<T> {
  listeners: Set<(message: T) => void>;
  /** Shared by the channel's listeners: a stale snapshot is dropped once, before the fan-out. */
  latest: LatestVersions;
}

/**
 * Listeners of this process per channel. Both pub/sub implementations fan out through it; the
 * Redis one also learns when a channel gains its first or loses its last listener. A versioned
 * snapshot older than (or the same as) one the channel already delivered goes to nobody.
 */
export class LocalListeners<T> {
  private readonly channels = new Map<string, Channel<T>>();

  /** Adds a listener; returns whether it is the channel's first. */
  add(channel: string, listener: (message: T) => void): boolean {
    let entry = this.channels.get(channel);
    const first = entry === undefined;
    if (!entry) {
      entry = { listeners: new Set(), latest: new LatestVersions() };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    return first;
  }

  /** Removes a listener; returns whether the channel has none left. */
  remove(channel: string, listener: (message: T) => void): boolean {
    const entry = this.channels.get(channel);
    if (!entry?.listeners.delete(listener)) return false;
    if (entry.listeners.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  /** Calls every listener of the channel; a throwing listener does not stop the others. */
  deliver(channel: string, message: T): void {
    const entry = this.channels.get(channel);
    if (!entry?.latest.admit(message)) return;
    for (const listener of [...entry.listeners]) {
      try {
        listener(message);
      } catch {
        // Listeners only enqueue into an iterator; nothing to recover here.
      }
    }
  }

  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  clear(): void {
    this.channels.clear();
  }
}
