import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DAY, FakeClock, HOUR, MINUTE } from '../../support/fake-clock.js';
import { createFakeMicrosoft, GRAPH_ACCESS_TOKEN } from '../../support/fake-microsoft.js';
import { RequestLog } from '../../support/fake-request-log.js';
import { callApi, type ApiAnswer } from './support/call-api.js';
import { echoGraphValidation, RecordingReceiver } from './support/recording-receiver.js';

const clock = new FakeClock(Date.parse('2026-12-05T09:00:00Z'));
const log = new RequestLog();
const graph = createFakeMicrosoft({ clock, log, validationTimeoutMs: 300 });
const receiver = new RecordingReceiver();
let api: string;

beforeAll(async () => {
  api = `${await graph.server.start()}/v1.0`;
  await receiver.start();
});

afterEach(() => {
  const violations = [...graph.server.violations];
  graph.server.reset();
  receiver.received.length = 0;
  receiver.answer = echoGraphValidation;
  log.clear();
  expect(violations).toEqual([]);
});

afterAll(async () => {
  await graph.server.close();
  await receiver.close();
});

const call = (method: string, path: string, body?: unknown, token = GRAPH_ACCESS_TOKEN): Promise<ApiAnswer> => callApi(`${api}${path}`, method, token, body);

const inHours = (hours: number): string => new Date(clock.now() + hours * HOUR).toISOString();

function subscriptionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changeType: 'created,updated',
    notificationUrl: `${receiver.url}/webhooks/microsoft`,
    lifecycleNotificationUrl: `${receiver.url}/webhooks/microsoft`,
    resource: '/me/events',
    expirationDateTime: inHours(48),
    clientState: 'secret-client-state',
    ...overrides,
  };
}

describe('creating a subscription', () => {
  it('validates the notification and lifecycle URLs before answering the create call', async () => {
    receiver.answer = echoGraphValidation;
    const created = await call('POST', '/subscriptions', subscriptionBody());
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ resource: '/me/events', changeType: 'created,updated', clientState: 'secret-client-state', lifecycleNotificationUrl: `${receiver.url}/webhooks/microsoft` });
    expect(created.json.expirationDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);

    // Both endpoints were asked, each with a token that only a URL-decoding receiver echoes right.
    expect(receiver.received).toHaveLength(2);
    for (const validation of receiver.received) {
      expect(validation.method).toBe('POST');
      expect(validation.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(validation.query.get('validationToken')).toMatch(/^Validation: .+ Request-Id: [0-9a-f-]{36}$/);
    }
    const create = log.first({ provider: 'microsoft', direction: 'in', method: 'POST', path: '/v1.0/subscriptions' });
    const validations = log.filter({ provider: 'microsoft', direction: 'out' });
    expect(validations.every((validation) => validation.seq > create.seq && validation.answeredSeq! < create.answeredSeq!)).toBe(true);
  });

  it('refuses the create call when the echo is not the decoded token as text/plain', async () => {
    const before = graph.subscriptions.subscriptions.size;
    receiver.answer = (request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.query.get('validationToken')) });
    const refused = await call('POST', '/subscriptions', subscriptionBody());
    expect(refused).toMatchObject({
      status: 400,
      json: { error: expect.objectContaining({ code: 'ValidationError', message: 'Subscription validation request failed. Response must exactly match validationToken query parameter.' }) },
    });

    receiver.answer = () => ({ status: 401 });
    const unauthorized = await call('POST', '/subscriptions', subscriptionBody());
    expect(unauthorized.json.error).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('must respond with 200 OK') });

    receiver.answer = (request) => ({ ...echoGraphValidation(request), delayMs: 1000 });
    const late = await call('POST', '/subscriptions', subscriptionBody());
    expect(late).toMatchObject({ status: 400, json: { error: { code: 'InvalidRequest', message: 'Subscription validation request timed out.' } } });
    expect(graph.subscriptions.subscriptions.size).toBe(before);
  });

  it("refuses an expiry past the resource's published maximum and raises one under 45 minutes", async () => {
    const tooLong = await call('POST', '/subscriptions', subscriptionBody({ expirationDateTime: new Date(clock.now() + 10081 * MINUTE).toISOString() }));
    expect(tooLong).toMatchObject({ status: 400, json: { error: { code: 'ExtensionError', message: 'Subscription expiration can only be 10080 minutes in the future.' } } });
    const drive = await call('POST', '/subscriptions', subscriptionBody({ resource: 'me/drive/root', changeType: 'updated', expirationDateTime: inHours(24 * 30) }));
    expect(drive.json.error).toMatchObject({ message: 'Subscription expiration can only be 42300 minutes in the future.' });
    expect(receiver.received).toHaveLength(0);

    const short = await call('POST', '/subscriptions', subscriptionBody({ expirationDateTime: new Date(clock.now() + 5 * MINUTE).toISOString() }));
    expect(short.status).toBe(201);
    expect(Date.parse(short.json.expirationDateTime)).toBe(clock.now() + 45 * MINUTE);
  });

  it('refuses a bad clientState, an unsupported resource or change type, and a long Teams subscription without lifecycle URL', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ clientState: 'x'.repeat(129) }, /clientState/],
      [{ resource: '/me/photo' }, /not supported/],
      [{ resource: 'me/drive/root', changeType: 'created' }, /ChangeType 'created'/],
      [{ notificationUrl: 'http://hooks.example.com/graph' }, /must use https/],
      [{ resource: 'teams/t1/channels/c1/messages', lifecycleNotificationUrl: undefined, expirationDateTime: inHours(2) }, /lifecycleNotificationUrl is required/],
    ];
    for (const [overrides, message] of cases) {
      const refused = await call('POST', '/subscriptions', subscriptionBody(overrides));
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toMatch(message);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it("answers Graph's 401 to a revoked token and hides one principal's subscriptions from another", async () => {
    graph.tokens.grant('token-of-bob', 'bob');
    const bobs = await call('POST', '/subscriptions', subscriptionBody(), 'token-of-bob');
    expect((await call('GET', `/subscriptions/${bobs.json.id}`)).status).toBe(404);
    graph.tokens.revoke('token-of-bob');
    const revoked = await call('GET', `/subscriptions/${bobs.json.id}`, undefined, 'token-of-bob');
    expect(revoked).toMatchObject({ status: 401, json: { error: { code: 'InvalidAuthenticationToken' } } });
  });
});

describe('a subscription over time', () => {
  it('renews by PATCH, expires on the fake clock, and is then gone', async () => {
    const { json: created } = await call('POST', '/subscriptions', subscriptionBody({ expirationDateTime: inHours(24) }));
    clock.advance(20 * HOUR);
    const renewed = await call('PATCH', `/subscriptions/${created.id}`, { expirationDateTime: inHours(72) });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.json.expirationDateTime)).toBe(clock.now() + 72 * HOUR);

    clock.advance(72 * HOUR);
    expect((await call('PATCH', `/subscriptions/${created.id}`, { expirationDateTime: inHours(24) })).json.error).toMatchObject({ code: 'ResourceNotFound' });
    expect((await call('GET', `/subscriptions/${created.id}`)).status).toBe(404);
    expect(await graph.subscriptions.notify([{ subscriptionId: created.id }])).toEqual([]);
  });

  it('answers a PATCH with neither expirationDateTime nor notificationUrl as Graph does', async () => {
    const { json: created } = await call('POST', '/subscriptions', subscriptionBody());
    const empty = await call('PATCH', `/subscriptions/${created.id}`, { clientState: 'other' });
    expect(empty.json.error.message).toBe("Subscription must contain either the 'expirationDateTime' or 'notificationUrl' property and its value.");
  });

  it('deletes with 204, then answers 404', async () => {
    const { json: created } = await call('POST', '/subscriptions', subscriptionBody());
    expect((await call('DELETE', `/subscriptions/${created.id}`)).status).toBe(204);
    expect((await call('DELETE', `/subscriptions/${created.id}`)).status).toBe(404);
  });
});

describe('notifications', () => {
  it('batches change notifications per URL with the documented fields', async () => {
    const first = (await call('POST', '/subscriptions', subscriptionBody())).json;
    const second = (await call('POST', '/subscriptions', subscriptionBody({ resource: "me/mailFolders('Inbox')/messages", changeType: 'created', clientState: 'other-state' }))).json;
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 202 });

    const [delivery] = await graph.subscriptions.notify([{ subscriptionId: first.id, itemId: 'AAMkEvent1' }, { subscriptionId: second.id }]);
    expect(delivery).toMatchObject({ status: 202, kind: 'notification' });
    expect(receiver.received).toHaveLength(1);
    const { value } = JSON.parse(receiver.received[0]!.body) as { value: Record<string, unknown>[] };
    expect(value).toEqual([
      expect.objectContaining({
        subscriptionId: first.id,
        subscriptionExpirationDateTime: first.expirationDateTime,
        changeType: 'created',
        clientState: 'secret-client-state',
        tenantId: expect.any(String),
        resource: 'Users/87d349ed-44d7-43e1-9a83-5f2406dee5bd/Events/AAMkEvent1',
        resourceData: expect.objectContaining({ '@odata.type': '#Microsoft.Graph.Event', id: 'AAMkEvent1' }),
      }),
      expect.objectContaining({ subscriptionId: second.id, clientState: 'other-state', resourceData: expect.objectContaining({ '@odata.type': '#Microsoft.Graph.Message' }) }),
    ]);
  });

  it('holds change notifications after reauthorizationRequired until the subscription is reauthorized', async () => {
    const created = (await call('POST', '/subscriptions', subscriptionBody())).json;
    receiver.answer = () => ({ status: 202 });
    const challenge = await graph.subscriptions.lifecycle(created.id, 'reauthorizationRequired');
    expect(JSON.parse(challenge!.body)).toEqual({
      value: [{ subscriptionId: created.id, subscriptionExpirationDateTime: created.expirationDateTime, tenantId: expect.any(String), clientState: 'secret-client-state', lifecycleEvent: 'reauthorizationRequired' }],
    });
    expect(await graph.subscriptions.notify([{ subscriptionId: created.id }])).toEqual([]);

    expect((await call('POST', `/subscriptions/${created.id}/reauthorize`)).status).toBe(204);
    expect(await graph.subscriptions.notify([{ subscriptionId: created.id }])).toHaveLength(1);
  });

  it('removes the subscription with subscriptionRemoved, delivers missed, and sends nothing without a lifecycle URL', async () => {
    const removed = (await call('POST', '/subscriptions', subscriptionBody())).json;
    const missed = (await call('POST', '/subscriptions', subscriptionBody())).json;
    const silent = (await call('POST', '/subscriptions', subscriptionBody({ lifecycleNotificationUrl: undefined }))).json;
    receiver.answer = () => ({ status: 202 });

    expect((await graph.subscriptions.lifecycle(removed.id, 'subscriptionRemoved'))?.status).toBe(202);
    expect((await call('GET', `/subscriptions/${removed.id}`)).status).toBe(404);
    expect(JSON.parse((await graph.subscriptions.lifecycle(missed.id, 'missed'))!.body).value[0].lifecycleEvent).toBe('missed');
    expect(await graph.subscriptions.lifecycle(silent.id, 'missed')).toBeUndefined();
  });

  it('flags a reauthorize and a PATCH within ten minutes of each other, which Graph warns against', async () => {
    const created = (await call('POST', '/subscriptions', subscriptionBody())).json;
    await call('POST', `/subscriptions/${created.id}/reauthorize`);
    clock.advance(5 * MINUTE);
    await call('PATCH', `/subscriptions/${created.id}`, { expirationDateTime: inHours(24) });
    expect(graph.server.violations).toEqual([expect.stringContaining('within 10 minutes of a reauthorize')]);
    graph.server.violations.length = 0;
    clock.advance(DAY);
  });
});
