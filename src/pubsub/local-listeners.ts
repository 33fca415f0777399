/**
 * Listeners of this process per channel. Both pub/sub implementations fan out through it; the
 * Redis one also learns when a channel gains its first or loses its last listener.
 */
export class LocalListeners<T> {
  private readonly channels = new Map<string, Set<(message: T) => void>>();

  /** Adds a listener; returns whether it is the channel's first. */
  add(channel: string, listener: (message: T) => void): boolean {
    let listeners = this.channels.get(channel);
    const first = listeners === undefined;
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
    }
    listeners.add(listener);
    return first;
  }

  /** Removes a listener; returns whether the channel has none left. */
  remove(channel: string, listener: (message: T) => void): boolean {
    const listeners = this.channels.get(channel);
    if (!listeners?.delete(listener)) return false;
    if (listeners.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  /** Calls every listener of the channel; a throwing listener does not stop the others. */
  deliver(channel: string, message: T): void {
    for (const listener of [...(this.channels.get(channel) ?? [])]) {
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
