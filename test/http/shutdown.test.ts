import { connect } from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { Express } from 'express';
import pg from 'pg';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL } from '../support/services.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A promise with its resolve function outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Resolves once a fresh TCP connection to the port is refused. */
async function untilRefused(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let subject: TestApp | undefined;
const redis = new Redis(TEST_REDIS_URL);
afterAll(async () => {
  await subject?.close();
  redis.disconnect();
});

describe('graceful shutdown', () => {
  it('stops accepting, finishes in-flight requests, closes sockets with 1001, then closes Redis and the database', async () => {
    const entered = deferred();
    const release = deferred();
    subject = await startTestApp({}, {
      routes: [
        (app: Express) =>
          app.get('/test/slow', async (_request, response) => {
            entered.resolve();
            await release.promise;
            response.json({ finished: true });
          }),
      ],
    });
    const port = Number(new URL(subject.url).port);
    const prefix = subject.app.config.redisPrefix;

    // A live subscriber.
    const closed = deferred<number>();
    const connected = deferred();
    const client = createClient({
      url: `${subject.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await subject.token()}` },
      retryAttempts: 0,
      on: { connected: () => connected.resolve(), closed: (event) => closed.resolve((event as { code: number }).code) },
    });
    const subscription = client.iterate({ query: 'subscription { integrationStatusChanged { id } }' });
    // The iterator rejects with the close event when the server goes away.
    const firstResult = subscription.next().then(
      () => 'ended without a close',
      (event: { code?: number }) => event.code,
    );
    await connected.promise;

    // The pub/sub connections are there before.
    const pubsubClients = async () => ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes(`name=${prefix}:pubsub`)).length;
    expect(await pubsubClients()).toBe(2);

    // A request in flight.
    const slow = fetch(`${subject.url}/test/slow`);
    await entered.promise;

    const closing = subject.app.close();
    expect(await closed.promise).toBe(1001);
    expect(await firstResult).toBe(1001);
    await untilRefused(port);

    // The in-flight request still completes, and only then does close() finish.
    let closeFinished = false;
    void closing.then(() => (closeFinished = true));
    expect(closeFinished).toBe(false);
    release.resolve();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await closing;

    // No connection of the pool is left on the app's database.
    const databaseName = new URL(subject.app.config.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    const sessions = async () =>
      Number((await admin.query('select count(*) as n from pg_stat_activity where datname = $1', [databaseName])).rows[0].n);
    while ((await sessions()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await sessions()).toBe(0);
    await admin.end();
    while ((await pubsubClients()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await pubsubClients()).toBe(0);
    await client.dispose();
    // close() is idempotent.
    await subject.app.close();
  });
});
