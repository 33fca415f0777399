import type { PubSub, TopicName, Topics } from '../../../src/pubsub/topics.js';

/** Records every message of one organization on one topic, and waits for the one a test needs. */
export interface Recorder<T> {
  readonly messages: T[];
  /** Resolves with the first recorded message matching `predicate`; rejects after `timeoutMs` (so a broken pipeline fails instead of hanging). */
  waitFor(predicate: (message: T) => boolean, timeoutMs?: number): Promise<T>;
  stop(): void;
}

export function record<K extends TopicName>(pubsub: PubSub, topic: K, organizationId: string): Recorder<Topics[K]> {
  const controller = new AbortController();
  const messages: Topics[K][] = [];
  const waiters: { predicate: (message: Topics[K]) => boolean; resolve: (message: Topics[K]) => void }[] = [];
  void (async () => {
    for await (const message of pubsub.subscribe(topic, organizationId, controller.signal)) {
      messages.push(message);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    }
  })();
  return {
    messages,
    waitFor(predicate, timeoutMs = 20_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching ${topic} message within ${timeoutMs} ms (saw ${messages.length})`)), timeoutMs);
        waiters.push({ predicate, resolve: (message) => (clearTimeout(timer), resolve(message)) });
      });
    },
    stop: () => controller.abort(),
  };
}

/** Polls `check` until it returns true; rejects after `timeoutMs`. For states with no message to wait on. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
