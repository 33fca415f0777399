import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SandboxWebhookSender } from '../../src/sandbox/sandbox-webhook-sender.js';
import type { SandboxSubscription } from '../../src/sandbox/sandbox-store.js';
import { verifyStandardWebhook } from '../../src/webhooks/receivers/standard-webhooks-receiver.js';

/**
 * The sandbox's webhook sender against a local receiver answering what a test says: each
 * attempt is signed so the service's own Standard Webhooks verifier accepts it, keeps its
 * `webhook-id`, and is retried only when retrying can help.
 */
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server | undefined;
let sender: SandboxWebhookSender | undefined;
const silent = { info: () => undefined, warn: () => undefined };

afterEach(async () => {
  sender?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A receiver answering `statuses` in turn (the last one from then on). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/sandbox/hook`, received };
}

const subscription = (url: string): SandboxSubscription => ({
  id: 'sub-1',
  accountId: 'ada',
  resource: 'items',
  url,
  secret: `whsec_${Buffer.from('a sandbox test secret of 24b').toString('base64')}`,
  expiresAt: new Date(Date.now() + 60_000),
});

const until = async (condition: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const headersOf = (request: Received) => Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));

describe('the sandbox webhook sender', () => {
  it('signs each attempt for the receiver to verify, and retries a 503 with the same webhook-id', async () => {
    const { url, received } = await receiver([503, 204]);
    sender = new SandboxWebhookSender({ logger: silent, retryDelaysMs: [20] });
    const target = subscription(url);
    sender.send(target, { type: 'item.created', data: { item: { id: 'i1', title: 'Hello' } } });
    await until(() => received.length === 2);

    expect(received[1]!.headers['webhook-id']).toBe(received[0]!.headers['webhook-id']);
    for (const request of received) {
      expect(() => verifyStandardWebhook({ headers: headersOf(request), rawBody: request.body }, target.secret, Math.floor(Date.now() / 1000))).not.toThrow();
      expect(JSON.parse(request.body.toString())).toMatchObject({ type: 'item.created', subscriptionId: 'sub-1', resource: 'items', data: { item: { title: 'Hello' } } });
    }
    // Someone else's secret does not verify it.
    expect(() => verifyStandardWebhook({ headers: headersOf(received[0]!), rawBody: received[0]!.body }, 'whsec_b3RoZXI=', Math.floor(Date.now() / 1000))).toThrow();
  });

  it('does not send again what the receiver refused with a 4xx', async () => {
    const { url, received } = await receiver([400, 204]);
    sender = new SandboxWebhookSender({ logger: silent, retryDelaysMs: [10, 10] });
    sender.send(subscription(url), { type: 'item.created', data: {} });
    await until(() => received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(1);
  });

  it('drops waiting retries when closed', async () => {
    const { url, received } = await receiver([503]);
    sender = new SandboxWebhookSender({ logger: silent, retryDelaysMs: [100] });
    sender.send(subscription(url), { type: 'item.created', data: {} });
    await until(() => received.length === 1);
    sender.close();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(received).toHaveLength(1);
  });
});
