import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createFakeAsana, ASANA_ACCESS_TOKEN } from '../../support/fake-asana.js';
import { FakeClock, HOUR } from '../../support/fake-clock.js';
import { RequestLog } from '../../support/fake-request-log.js';
import { callApi, type ApiAnswer } from './support/call-api.js';
import { RecordingReceiver, type Received, type ReceiverAnswer } from './support/recording-receiver.js';

const WORKSPACE = '1200000000000010';
const PROJECT = '1200000000000200';
const TASK = '1200000000000100';
const PORTFOLIO = '1200000000000300';
const clock = new FakeClock(Date.parse('2026-12-05T09:00:00Z'));
const log = new RequestLog();
const asana = createFakeAsana({ clock, log, handshakeTimeoutMs: 300 });
const receiver = new RecordingReceiver();
let api: string;

/** Completes the handshake the way the documentation asks: 200 echoing X-Hook-Secret. */
const shakeHands = (request: Received): ReceiverAnswer => {
  const secret = request.headers['x-hook-secret'] as string | undefined;
  return secret ? { status: 200, headers: { 'x-hook-secret': secret } } : { status: 200 };
};

beforeAll(async () => {
  api = `${await asana.server.start()}/api/1.0`;
  await receiver.start();
});

afterEach(() => {
  const violations = [...asana.server.violations];
  asana.server.reset();
  receiver.received.length = 0;
  receiver.answer = shakeHands;
  log.clear();
  expect(violations).toEqual([]);
});

afterAll(async () => {
  await asana.server.close();
  await receiver.close();
});

const call = (method: string, path: string, body?: unknown, token = ASANA_ACCESS_TOKEN): Promise<ApiAnswer> => callApi(`${api}${path}`, method, token, body);

const create = (resource = PROJECT, target = `${receiver.url}/webhooks/asana/hook-1`): Promise<ApiAnswer> => call('POST', '/webhooks', { data: { resource, target, filters: [{ resource_type: 'task', action: 'changed' }] } });

describe('establishing a webhook', () => {
  it('performs the X-Hook-Secret handshake while the create call is open, then answers 201', async () => {
    receiver.answer = shakeHands;
    const created = await create();
    expect(created.status).toBe(201);
    const secret = receiver.received[0]!.headers['x-hook-secret'];
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.json).toEqual({
      data: expect.objectContaining({
        gid: expect.stringMatching(/^\d+$/),
        resource_type: 'webhook',
        active: true,
        resource: { gid: PROJECT, resource_type: 'project', name: 'Website launch' },
        target: `${receiver.url}/webhooks/asana/hook-1`,
        created_at: new Date(clock.now()).toISOString(),
        last_success_at: null,
        last_failure_at: null,
        filters: [{ resource_type: 'task', action: 'changed' }],
      }),
      'X-Hook-Secret': secret,
    });
    const createCall = log.first({ provider: 'asana', direction: 'in', method: 'POST', path: '/api/1.0/webhooks' });
    const handshake = log.first({ provider: 'asana', direction: 'out' });
    expect(handshake.seq).toBeGreaterThan(createCall.seq);
    expect(handshake.answeredSeq!).toBeLessThan(createCall.answeredSeq!);
  });

  it('refuses the create call when the handshake is not echoed, fails, or does not come back in time', async () => {
    const refusal = { status: 400, json: { errors: [expect.objectContaining({ message: expect.stringContaining('Could not complete activation handshake') })] } };
    const before = asana.webhooks.webhooks.size;
    receiver.answer = () => ({ status: 200 });
    expect(await create()).toMatchObject(refusal);
    receiver.answer = (request) => ({ status: 201, headers: { 'x-hook-secret': request.headers['x-hook-secret'] as string } });
    expect(await create()).toMatchObject(refusal);
    receiver.answer = (request) => ({ ...shakeHands(request), delayMs: 1000 });
    expect(await create()).toMatchObject(refusal);
    expect(asana.webhooks.webhooks.size).toBe(before);
  });

  it('refuses an unknown resource, a localhost target and a revoked token the way Asana does', async () => {
    expect((await create('999')).json).toMatchObject({ errors: [{ message: 'resource: Not a recognized ID: 999' }] });
    const localhost = await create(PROJECT, `${receiver.url.replace('127.0.0.1', 'localhost')}/webhooks/asana`);
    expect(localhost.status).toBe(403);
    asana.tokens.grant('revoked-token').revoke('revoked-token');
    expect(await call('GET', `/webhooks?workspace=${WORKSPACE}`, undefined, 'revoked-token')).toMatchObject({ status: 401, json: { errors: [{ message: 'Not Authorized' }] } });
    expect(receiver.received).toHaveLength(0);
  });
});

describe('reading and deleting webhooks', () => {
  it('lists compactly, paged by limit and offset with next_page, and deletes', async () => {
    const gids = [(await create(TASK)).json.data.gid, (await create(TASK)).json.data.gid, (await create(TASK)).json.data.gid];
    const first = await call('GET', `/webhooks?workspace=${WORKSPACE}&resource=${TASK}&limit=2`);
    expect(first.json.data).toEqual([
      { gid: gids[0], resource_type: 'webhook', active: true, resource: expect.objectContaining({ gid: TASK }), target: expect.any(String) },
      expect.objectContaining({ gid: gids[1] }),
    ]);
    expect(first.json.next_page).toEqual({ offset: expect.any(String), path: expect.stringContaining('/webhooks?'), uri: expect.stringMatching(/^https:\/\/app\.asana\.com\/api\/1\.0\/webhooks\?/) });
    const second = await call('GET', `/webhooks?workspace=${WORKSPACE}&resource=${TASK}&limit=2&offset=${first.json.next_page.offset}`);
    expect(second.json).toEqual({ data: [expect.objectContaining({ gid: gids[2] })], next_page: null });
    expect((await call('GET', '/webhooks')).json.errors[0].message).toBe('workspace: Missing input');

    expect(await call('DELETE', `/webhooks/${gids[0]}`)).toMatchObject({ status: 200, json: { data: {} } });
    expect((await call('GET', `/webhooks/${gids[0]}`)).status).toBe(404);
    for (const gid of gids.slice(1)) await call('DELETE', `/webhooks/${gid}`);
  });
});

describe('deliveries', () => {
  it('signs events and heartbeats with X-Hook-Signature, the hex HMAC-SHA256 of the body', async () => {
    const created = await create(PORTFOLIO);
    const secret = created.json['X-Hook-Secret'] as string;
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 200 });
    await asana.webhooks.change(PORTFOLIO);
    await asana.webhooks.heartbeat(created.json.data.gid);
    const [events, heartbeat] = receiver.received;
    for (const request of [events!, heartbeat!]) {
      expect(request.headers['x-hook-signature']).toBe(createHmac('sha256', secret).update(request.body).digest('hex'));
    }
    expect(JSON.parse(events!.body).events).toEqual([expect.objectContaining({ action: 'changed', resource: expect.objectContaining({ resource_type: 'task' }), parent: { gid: PORTFOLIO, resource_type: 'portfolio' } })]);
    expect(JSON.parse(heartbeat!.body)).toEqual({ events: [] });
    expect((await call('GET', `/webhooks/${created.json.data.gid}`)).json.data.last_success_at).toBe(new Date(clock.now()).toISOString());
    await call('DELETE', `/webhooks/${created.json.data.gid}`);
  });

  it('deletes a webhook whose deliveries have failed for 24 hours on the fake clock, and keeps one that recovers', async () => {
    const failing = (await create(TASK)).json.data.gid as string;
    receiver.answer = () => ({ status: 500, body: 'Server Error' });
    await asana.webhooks.change(TASK);
    const record = (await call('GET', `/webhooks/${failing}`)).json.data;
    expect(record).toMatchObject({ active: false, last_failure_content: '500 Server Error', delivery_retry_count: 1, failure_deletion_timestamp: new Date(clock.now() + 24 * HOUR).toISOString() });

    clock.advance(12 * HOUR);
    expect((await asana.webhooks.retryFailed()).map((delivery) => delivery.status)).toEqual([500]);
    clock.advance(12 * HOUR);
    expect((await call('GET', `/webhooks/${failing}`)).status).toBe(404);
    expect((await call('GET', `/webhooks?workspace=${WORKSPACE}&resource=${TASK}`)).json.data).toEqual([]);

    receiver.answer = shakeHands;
    const recovering = (await create(TASK)).json.data.gid as string;
    receiver.answer = () => ({ status: 503 });
    await asana.webhooks.change(TASK);
    clock.advance(20 * HOUR);
    receiver.answer = () => ({ status: 204 });
    expect((await asana.webhooks.retryFailed()).map((delivery) => delivery.status)).toEqual([204]);
    clock.advance(10 * HOUR);
    expect((await call('GET', `/webhooks/${recovering}`)).json.data).toMatchObject({ active: true, delivery_retry_count: 0 });

    asana.webhooks.deleteOnCommand(recovering);
    expect((await call('GET', `/webhooks/${recovering}`)).status).toBe(404);
  });

  it("answers Asana's 429 with Retry-After above the rate limit", async () => {
    asana.server.rateLimit(1, 60_000);
    await call('GET', `/webhooks?workspace=${WORKSPACE}`);
    const limited = await call('GET', `/webhooks?workspace=${WORKSPACE}`);
    asana.server.rateLimit(undefined);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json.errors[0].message).toMatch(/too many requests/);
  });
});
