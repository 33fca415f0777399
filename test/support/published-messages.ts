import type { PubSub, TopicName, Topics } from '../../src/pubsub/topics.js';

export interface PublishedMessages {
  /** The same pub/sub, recording every message published through it. */
  pubsub: PubSub;
  /**
   * What was published on `topic`, in the order of the publish calls: what was sent, before any
   * subscriber-side ordering. A row's snapshots may be out of version order here (publishers
   * race); sort them by version to read the row's transitions.
   */
  of<K extends TopicName>(topic: K): Topics[K][];
}

/** Wraps a pub/sub to record what is published through it (subscribers see what they always do). */
export function recordPublished(pubsub: PubSub): PublishedMessages {
  const messages: { topic: TopicName; message: unknown }[] = [];
  return {
    pubsub: {
      publish: (topic, message) => {
        messages.push({ topic, message: structuredClone(message) });
        return pubsub.publish(topic, message);
      },
      subscribe: (topic, organizationId, signal) => pubsub.subscribe(topic, organizationId, signal),
      watchOrganizations: (watcher) => pubsub.watchOrganizations(watcher),
      close: () => pubsub.close(),
    },
    of: <K extends TopicName>(topic: K) => messages.filter((entry) => entry.topic === topic).map((entry) => entry.message as Topics[K]),
  };
}
