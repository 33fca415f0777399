import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
import { SubscriptionFanout } from '../../src/http/subscription-fanout.js';
import { createSubscriptionIterator } from '../../src/pubsub/subscription-iterator.js';

/**
 * SubscriptionFanout on real sockets, with a schema of its own: one source per group, frames
 * under each member's id, and a member that stops reading is closed rather than buffered forever.
 */
let httpServer: Server;
let wss: WebSocketServer;
let url: string;
const pushers = new Set<(message: string) => void>();
let sourcesOpened = 0;

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      tick: {
        type: GraphQLString,
        subscribe: () => {
          sourcesOpened++;
          return createSubscriptionIterator<string>((push) => {
            pushers.add(push);
            return () => void pushers.delete(push);
          });
        },
        resolve: (value: string) => value,
      },
    },
  }),
});
const args = { schema, document: parse('subscription { tick }') };

beforeAll(async () => {
  httpServer = createServer();
  wss = new WebSocketServer({ server: httpServer });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await new Promise((resolve) => httpServer.close(resolve));
});

/** A connected pair: the client, and the server side's socket and TCP connection. */
async function connectPair(): Promise<{ client: WebSocket; server: WebSocket; connection: Socket; frames: string[] }> {
  const accepted = new Promise<[WebSocket, IncomingMessage]>((resolve) => wss.once('connection', (socket, request) => resolve([socket, request])));
  const client = new WebSocket(url);
  const frames: string[] = [];
  client.on('message', (data: Buffer) => frames.push(data.toString()));
  await new Promise((resolve) => client.once('open', resolve));
  const [server, request] = await accepted;
  return { client, server, connection: request.socket, frames };
}

const until = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

it('serves members of one key from one source, each frame under the member’s own id, and ends the source with its last member', async () => {
  const fanout = new SubscriptionFanout({ groupContext: () => ({}), formatResult: (result) => result });
  const one = await connectPair();
  const two = await connectPair();
  const first = await fanout.subscribe(args, { socket: one.server, connection: one.connection, id: 'sub-a', key: 'k' });
  const second = await fanout.subscribe(args, { socket: two.server, connection: two.connection, id: 'sub-b', key: 'k' });
  expect(sourcesOpened).toBe(1);
  expect(fanout.size()).toEqual({ members: 2, groups: 1 });

  for (const push of pushers) push('hello');
  await until(() => one.frames.length === 1 && two.frames.length === 1);
  expect(JSON.parse(one.frames[0]!)).toEqual({ id: 'sub-a', type: 'next', payload: { data: { tick: 'hello' } } });
  expect(JSON.parse(two.frames[0]!)).toEqual({ id: 'sub-b', type: 'next', payload: { data: { tick: 'hello' } } });

  await (first as AsyncIterableIterator<unknown>).return!();
  expect(pushers.size).toBe(1);
  await (second as AsyncIterableIterator<unknown>).return!();
  expect(fanout.size()).toEqual({ members: 0, groups: 0 });
  await until(() => pushers.size === 0); // the source let go of its listener
  one.client.terminate();
  two.client.terminate();
});

it('closes (1013) a member whose client stopped reading once too much waits for it, and keeps serving the others', async () => {
  const fanout = new SubscriptionFanout({ groupContext: () => ({}), formatResult: (result) => result, maxBufferedBytes: 256 * 1024 });
  const stalled = await connectPair();
  const healthy = await connectPair();
  await fanout.subscribe(args, { socket: stalled.server, connection: stalled.connection, id: '1', key: 'big' });
  const served = await fanout.subscribe(args, { socket: healthy.server, connection: healthy.connection, id: '1', key: 'big' });
  const closed = new Promise<number>((resolve) => stalled.client.once('close', (code) => resolve(code)));
  (stalled.client as unknown as { _socket: Socket })._socket.pause(); // the client reads nothing more

  const big = 'x'.repeat(64 * 1024);
  for (let n = 0; n < 200 && stalled.server.readyState === WebSocket.OPEN; n++) {
    for (const push of pushers) push(`${n}:${big}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(stalled.server.readyState).not.toBe(WebSocket.OPEN);
  (stalled.client as unknown as { _socket: Socket })._socket.resume();
  expect(await closed).toBe(1013);
  await until(() => healthy.frames.length > 0);
  expect(healthy.server.readyState).toBe(WebSocket.OPEN);
  await (served as AsyncIterableIterator<unknown>).return!();
  healthy.client.terminate();
});
