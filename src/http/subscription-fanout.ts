import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * A subscriber's graphql-ws subscription: its socket, the id its client gave the subscription,
 * and what it shares with others (see SubscriptionFanout).
 */
export interface FanoutMember {
  socket: WebSocket;
  /** The TCP connection under `socket` (the upgrade request's): frames to it are written in batches. */
  connection: Socket;
  /** The graphql-ws subscription id, echoed in every `next` message. */
  id: string;
  /**
   * Subscriptions with equal keys receive the same results: the same operation and variables
   * in the same organization.
   */
  key: string;
}

export interface SubscriptionFanoutOptions {
  /** The context a group's operation executes with (one per group, never a subscriber's own). */
  groupContext(member: FanoutMember, subscriberContext: unknown): unknown;
  /** What a result looks like on the wire (errors formatted as for every other response). */
  formatResult(result: ExecutionResult): unknown;
  /**
   * A subscriber whose socket holds more than this many unsent bytes is too far behind to catch
   * up: it is closed with 1013 (try again later), and its client reconnects and reads afresh.
   * @default 4 MiB
   */
  maxBufferedBytes?: number;
}

/** A member as a group serves it: frames go straight to its socket. */
interface Member extends FanoutMember {
  /** `{"id":…,"type":"next","payload":` for this member, encoded once. */
  head: Buffer;
  /** Ends the member's iterator (normally, or with the group's error). */
  end(error?: unknown): void;
}

interface Group {
  key: string;
  members: Set<Member>;
  /** The source stream, or the errors its creation gave (sent to each member as its only result). */
  ready: Promise<AsyncIterator<unknown> | ExecutionResult>;
  /** The source has ended: nobody joins any more. */
  ended: boolean;
}

const TAIL = Buffer.from('}');
/** Connections written per turn of the event loop (see flush). */
const FLUSH_SLICE = 100;
/** RFC 6455 §7.4.1: the server is overloaded; the client should retry. */
const TRY_AGAIN_LATER = 1013;

const isAsyncIterator = (value: unknown): value is AsyncIterator<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as AsyncIterator<unknown>).next === 'function';

/**
 * Shares the work of subscriptions that ask the same thing. graphql-ws runs each subscriber's
 * operation on its own: for every event, per subscriber, graphql-js executes the selection, the
 * resolvers run, and the message is validated and serialized; with 1,000 subscribers of one
 * organization that was most of the cost of a webhook event, and COMPLETED waited behind it.
 * Here subscribers with one key form a group with one source stream: each event is executed and
 * serialized once, and the frame goes to every member's socket (its own subscription id in front).
 *
 * graphql-ws still owns the protocol and each subscription's life: `subscribe` gives it an
 * iterator that yields nothing and ends when the member does; `complete` or a closed socket calls
 * its `return()`, which takes the member out (and the group's source ends with its last member).
 * Results are shared by organization, so a field reachable from a subscription must not depend on
 * who the subscriber is beyond that: the group context carries the organization only.
 */
export class SubscriptionFanout {
  private readonly groups = new Map<string, Group>();
  private readonly maxBufferedBytes: number;
  /** Connections corked since the last flush (see send). */
  private readonly corked = new Set<Socket>();

  constructor(private readonly options: SubscriptionFanoutOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  /** graphql-ws `subscribe` for one member. */
  async subscribe(args: ExecutionArgs, subscriber: FanoutMember): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    let group = this.groups.get(subscriber.key);
    if (!group) {
      const created: Group = { key: subscriber.key, members: new Set(), ready: Promise.resolve({}), ended: false };
      this.groups.set(subscriber.key, created);
      created.ready = this.start(created, args, this.options.groupContext(subscriber, args.contextValue));
      group = created;
    }
    const source = await group.ready;
    if (!isAsyncIterator(source)) return source;
    return this.join(group, subscriber);
  }

  /** Subscriptions served, and the groups (executions per event) serving them. */
  size(): { members: number; groups: number } {
    let members = 0;
    for (const group of this.groups.values()) members += group.members.size;
    return { members, groups: this.groups.size };
  }

  private async start(group: Group, args: ExecutionArgs, context: unknown): Promise<AsyncIterator<unknown> | ExecutionResult> {
    let stream: Awaited<ReturnType<typeof createSourceEventStream>>;
    try {
      stream = await createSourceEventStream({ ...args, contextValue: context });
    } catch (error) {
      this.forget(group);
      throw error;
    }
    if (!(Symbol.asyncIterator in stream)) {
      this.forget(group);
      return stream;
    }
    const source = stream[Symbol.asyncIterator]();
    void this.pump(group, source, args, context);
    return source;
  }

  /** Executes each event once and sends the frame to every member; ends the members when the source ends. */
  private async pump(group: Group, source: AsyncIterator<unknown>, args: ExecutionArgs, context: unknown): Promise<void> {
    let failure: unknown;
    try {
      for (;;) {
        const event = await source.next();
        if (event.done) break;
        const result = await execute({ ...args, contextValue: context, rootValue: event.value });
        if (group.members.size === 0) continue;
        const payload = Buffer.from(JSON.stringify(this.options.formatResult(result)));
        for (const member of group.members) this.send(member, payload);
      }
    } catch (error) {
      failure = error;
    }
    this.forget(group);
    for (const member of [...group.members]) member.end(failure);
    group.members.clear();
  }

  private forget(group: Group): void {
    group.ended = true;
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
  }

  private send(member: Member, payload: Buffer): void {
    const { socket } = member;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      socket.close(TRY_AGAIN_LATER, 'subscriber too far behind');
      return;
    }
    // Frames for one connection produced in the same turn of the event loop (several events
    // arriving together, several subscriptions on one socket) leave in one write: a write is a
    // system call per socket, the largest cost of a fan-out once execution is shared.
    if (!this.corked.has(member.connection)) {
      if (this.corked.size === 0) setImmediate(() => this.flush());
      member.connection.cork();
      this.corked.add(member.connection);
    }
    socket.send(Buffer.concat([member.head, payload, TAIL]), { binary: false });
  }

  /**
   * Writes the corked connections, {@link FLUSH_SLICE} at a time with a turn of the event loop
   * between slices. A write to a socket is a system call (~25 µs on loopback): 1,000 subscribers
   * in one go held the loop for ~25 ms per event, and the next webhook's ingest, claim and
   * completion each waited behind it (most of the fan-out benchmark's p99).
   */
  private flush(): void {
    let written = 0;
    for (const connection of this.corked) {
      if (written++ === FLUSH_SLICE) {
        setImmediate(() => this.flush());
        return;
      }
      this.corked.delete(connection);
      connection.uncork();
    }
  }

  private join(group: Group, subscriber: FanoutMember): AsyncIterableIterator<ExecutionResult> {
    let settle: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
    let fail: ((error: unknown) => void) | undefined;
    const ended = new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    // Observed by `next()`; a member that ends before graphql-ws asks must not be an unhandled rejection.
    ended.catch(() => undefined);
    const member: Member = {
      ...subscriber,
      head: Buffer.from(`{"id":${JSON.stringify(subscriber.id)},"type":"next","payload":`),
      end: (error) => (error === undefined ? settle!({ done: true, value: undefined }) : fail!(error)),
    };
    // The source ended while this subscriber waited for it (shutting down): nothing more will come.
    if (group.ended) member.end();
    else group.members.add(member);
    const leave = (): void => {
      if (!group.members.delete(member)) return;
      member.end();
      if (group.members.size === 0 && !group.ended) {
        this.forget(group);
        // The pump's pending `next()` resolves done, and the source detaches from pub/sub.
        void group.ready.then((source) => (isAsyncIterator(source) ? source.return?.() : undefined)).catch(() => undefined);
      }
    };
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => ended,
      return: () => {
        leave();
        return Promise.resolve({ done: true, value: undefined });
      },
      throw: (error?: unknown) => {
        leave();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
