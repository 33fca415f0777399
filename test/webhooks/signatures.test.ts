import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { WebhookRejection } from '../../src/webhooks/inbound-webhook.js';
import { verifyStandardWebhook } from '../../src/webhooks/receivers/standard-webhooks-receiver.js';
import { HANDSHAKE_WINDOW_MINUTES } from '../../src/webhooks/webhook-directory.js';
import { createWebhookPipeline, type WebhookPipeline } from '../../src/webhooks/webhook-pipeline.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import {
  countEvents,
  eventRows,
  inbound,
  insertIntegration,
  nowSeconds,
  SLACK_SIGNING_SECRET,
  slackEvent,
  slackHeaders,
  standardSignature,
  testCipher,
} from './support/webhook-fixtures.js';

describe('webhook verification and handshakes', () => {
  let db: TestDatabase;
  let pipeline: WebhookPipeline;
  const pubsub = new InMemoryPubSub();
  const org = newOrganizationId();
  const slackTeam = `T${randomBytes(4).toString('hex')}`;
  let integrations: Record<'slack' | 'microsoft' | 'google' | 'asana' | 'acme', string>;

  const eventsOf = (integrationId: string) => countEvents(db.database, 'integration_id = ?', [integrationId]);

  beforeAll(async () => {
    db = await createTestDatabase();
    pipeline = createWebhookPipeline({ database: db.database, pubsub, cipher: testCipher(), slackSigningSecret: SLACK_SIGNING_SECRET });
    integrations = {
      slack: await insertIntegration(db.database, org, 'slack', slackTeam),
      microsoft: await insertIntegration(db.database, org, 'microsoft', randomUUID()),
      google: await insertIntegration(db.database, org, 'google', 'google-sub-1'),
      asana: await insertIntegration(db.database, org, 'asana'),
      acme: await insertIntegration(db.database, org, 'acme'),
    };
  });
  afterAll(async () => {
    await pipeline.close();
    await pubsub.close();
    await db.close();
  });

  describe('Slack (v0 signing secret)', () => {
    it('stores a validly signed event under the integration of its team', async () => {
      const body = slackEvent(slackTeam, 'message', 'EvSLACK1');
      const reply = await pipeline.ingest(inbound('slack', body, slackHeaders(body)));
      expect(reply.status).toBe(200);
      const rows = (await eventRows(db.database, org)).filter((row) => row.delivery_id.endsWith(':EvSLACK1'));
      expect(rows.map((row) => [row.event_type, row.status])).toEqual([['message', 'pending']]);
      // Slack's legacy verification token is the app's, the same for every workspace: not stored.
      expect(rows[0]!.payload).toMatchObject({ team_id: slackTeam, event: { type: 'message' } });
      expect(rows[0]!.payload).not.toHaveProperty('token');
    });

    it.each([
      ['a tampered body', (body: string) => ({ body: body.replace('hello', 'HELLO'), headers: slackHeaders(body) })],
      ['the wrong secret', (body: string) => ({ body, headers: slackHeaders(body, { secret: 'not-the-secret' }) })],
      ['a stale timestamp', (body: string) => ({ body, headers: slackHeaders(body, { timestamp: nowSeconds() - 301 }) })],
      ['a future timestamp', (body: string) => ({ body, headers: slackHeaders(body, { timestamp: nowSeconds() + 301 }) })],
      ['no signature header', (body: string) => ({ body, headers: { 'x-slack-request-timestamp': String(nowSeconds()) } })],
      ['no timestamp header', (body: string) => ({ body, headers: { 'x-slack-signature': slackHeaders(body)['x-slack-signature']! } })],
      ['a signature without v0=', (body: string) => ({ body, headers: { ...slackHeaders(body), 'x-slack-signature': slackHeaders(body)['x-slack-signature']!.slice(3) } })],
      ['a truncated signature', (body: string) => ({ body, headers: { ...slackHeaders(body), 'x-slack-signature': slackHeaders(body)['x-slack-signature']!.slice(0, 40) } })],
      ['a non-numeric timestamp', (body: string) => ({ body, headers: { ...slackHeaders(body), 'x-slack-request-timestamp': 'yesterday' } })],
    ])('refuses %s with 401 and stores nothing', async (_name, make) => {
      const before = await eventsOf(integrations.slack);
      const { body, headers } = make(slackEvent(slackTeam));
      const reply = await pipeline.ingest(inbound('slack', body, headers));
      expect(reply.status).toBe(401);
      expect(await eventsOf(integrations.slack)).toBe(before);
    });

    it('answers url_verification with the challenge, only when signed', async () => {
      const body = JSON.stringify({ token: 'x', challenge: 'the-challenge-42', type: 'url_verification' });
      const reply = await pipeline.ingest(inbound('slack', body, slackHeaders(body)));
      expect(reply).toMatchObject({ status: 200, body: 'the-challenge-42' });
      expect((await pipeline.ingest(inbound('slack', body, slackHeaders(body, { secret: 'wrong' })))).status).toBe(401);
    });

    it('stores interactivity payloads sent form-encoded as payload=', async () => {
      const payload = JSON.stringify({ type: 'block_actions', token: 'legacy-verification-token', team: { id: slackTeam }, trigger_id: 'trig-1', actions: [{ action_id: 'approve' }] });
      const body = new URLSearchParams({ payload }).toString();
      const reply = await pipeline.ingest(inbound('slack', body, slackHeaders(body), '', 'application/x-www-form-urlencoded'));
      expect(reply.status).toBe(200);
      const stored = (await eventRows(db.database, org)).find((row) => row.event_type === 'block_actions');
      expect((stored?.payload.actions as unknown[]).length).toBe(1);
      expect(stored?.payload).not.toHaveProperty('token');
    });

    it('stores slash commands without the legacy verification token', async () => {
      const body = new URLSearchParams({ token: 'legacy-verification-token', team_id: slackTeam, command: '/deploy', text: 'now', trigger_id: 'trig-slash-1' }).toString();
      const reply = await pipeline.ingest(inbound('slack', body, slackHeaders(body), '', 'application/x-www-form-urlencoded'));
      expect(reply.status).toBe(200);
      const stored = (await eventRows(db.database, org)).find((row) => row.event_type === 'slash_command');
      expect(stored?.payload).toMatchObject({ command: '/deploy', text: 'now' });
      expect(stored?.payload).not.toHaveProperty('token');
    });

    it('answers 400 to a signed but malformed body, and 2xx storing nothing for an unknown team', async () => {
      const malformed = '{"type": "event_callback", ';
      expect((await pipeline.ingest(inbound('slack', malformed, slackHeaders(malformed)))).status).toBe(400);
      const before = await countEvents(db.database);
      const unknown = slackEvent('T_NOBODY');
      expect((await pipeline.ingest(inbound('slack', unknown, slackHeaders(unknown)))).status).toBe(200);
      expect(await countEvents(db.database)).toBe(before);
    });

    it('treats an X-Slack-Retry-Num re-delivery as a duplicate', async () => {
      const body = slackEvent(slackTeam, 'reaction_added', 'EvRETRY1');
      expect((await pipeline.ingest(inbound('slack', body, slackHeaders(body)))).status).toBe(200);
      const retry = await pipeline.ingest(inbound('slack', body, { ...slackHeaders(body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }));
      expect(retry.status).toBe(200);
      expect(await countEvents(db.database, `delivery_id like '%:EvRETRY1'`)).toBe(1);
    });
  });

  describe('Standard Webhooks (custom providers)', () => {
    // The known-answer vector of the specification's reference libraries.
    const vector = {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const vectorRequest = (signature: string, body = vector.body) => ({
      headers: { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': signature },
      rawBody: Buffer.from(body),
    });
    const verifyAt = (request: ReturnType<typeof vectorRequest>, now = vector.timestamp, secret = vector.secret) => () => verifyStandardWebhook(request, secret, now);

    it('accepts the known-answer vector', () => {
      expect(verifyAt(vectorRequest(vector.signature))).not.toThrow();
      expect(standardSignature(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
    });

    it('accepts several signatures when one is valid (key rotation), ignoring other versions', () => {
      const other = standardSignature(`whsec_${randomBytes(24).toString('base64')}`, vector.id, vector.timestamp, vector.body);
      expect(verifyAt(vectorRequest(`${other} v2,abc ${vector.signature}`))).not.toThrow();
    });

    it.each([
      ['a tampered body', vectorRequest(vector.signature, '{"test": 2432232315}'), vector.timestamp],
      ['a stale timestamp', vectorRequest(vector.signature), vector.timestamp + 301],
      ['a future timestamp', vectorRequest(vector.signature), vector.timestamp - 301],
      ['only invalid signatures', vectorRequest('v1,AAAA v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF='), vector.timestamp],
      ['a signature without a version', vectorRequest('g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='), vector.timestamp],
      ['the right signature under another version', vectorRequest('v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='), vector.timestamp],
      ['missing headers', { headers: {}, rawBody: Buffer.from(vector.body) }, vector.timestamp],
    ])('refuses %s', (_name, request, now) => {
      expect(verifyAt(request as ReturnType<typeof vectorRequest>, now)).toThrow(WebhookRejection);
    });

    it('refuses the wrong secret', () => {
      expect(verifyAt(vectorRequest(vector.signature), vector.timestamp, `whsec_${randomBytes(24).toString('base64')}`)).toThrow(WebhookRejection);
    });

    it('stores a signed delivery for the endpoint in the URL, once per webhook-id, and 401s a bad one', async () => {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      const hook = randomUUID();
      await pipeline.directory.register({ organizationId: org, integrationId: integrations.acme, provider: 'acme', externalId: hook, secret });
      const body = JSON.stringify({ type: 'invoice.paid', timestamp: new Date().toISOString(), data: { id: 'inv_1' } });
      const timestamp = nowSeconds();
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignature(secret, 'msg_1', timestamp, body) };
      expect((await pipeline.ingest(inbound('acme', body, headers, `hook=${hook}`))).status).toBe(204);
      expect((await pipeline.ingest(inbound('acme', body, headers, `hook=${hook}`))).status).toBe(204);
      expect(await eventsOf(integrations.acme)).toBe(1);
      const forged = { ...headers, 'webhook-signature': standardSignature(`whsec_${randomBytes(24).toString('base64')}`, 'msg_2', timestamp, body), 'webhook-id': 'msg_2' };
      expect((await pipeline.ingest(inbound('acme', body, forged, `hook=${hook}`))).status).toBe(401);
      expect((await pipeline.ingest(inbound('acme', body, headers, `hook=${randomUUID()}`))).status).toBe(404);
      expect(await eventsOf(integrations.acme)).toBe(1);
    });
  });

  describe('Asana (X-Hook-Secret, X-Hook-Signature)', () => {
    const hook = randomUUID();
    const secret = randomBytes(16).toString('hex');
    const events = JSON.stringify({ events: [{ action: 'changed', resource: { gid: '1201', resource_type: 'task' }, created_at: '2026-11-24T08:00:00.000Z', user: { gid: '42' } }] });
    const sign = (body: string, key = secret) => createHmac('sha256', key).update(body).digest('hex');

    beforeAll(() => pipeline.directory.register({ organizationId: org, integrationId: integrations.asana, provider: 'asana', externalId: hook }));

    it('refuses a signed delivery before the handshake', async () => {
      expect((await pipeline.ingest(inbound('asana', events, { 'x-hook-signature': sign(events) }, `hook=${hook}`))).status).toBe(401);
    });

    it('echoes the handshake secret and stores it, once', async () => {
      const reply = await pipeline.ingest(inbound('asana', '', { 'x-hook-secret': secret }, `hook=${hook}`));
      expect(reply).toMatchObject({ status: 200, headers: { 'x-hook-secret': secret } });
      const again = await pipeline.ingest(inbound('asana', '', { 'x-hook-secret': 'attacker-chosen' }, `hook=${hook}`));
      expect(again.status).toBe(401);
      expect((await pipeline.ingest(inbound('asana', '', { 'x-hook-secret': secret }, `hook=${randomUUID()}`))).status).toBe(401);
    });

    it('refuses a handshake once the registration is older than the handshake window', async () => {
      const late = randomUUID();
      await pipeline.directory.register({ organizationId: org, integrationId: integrations.asana, provider: 'asana', externalId: late });
      await db.database.asSystem((em) =>
        em.execute(`update webhook_endpoints set updated_at = now() - make_interval(mins => ? + 1) where external_id = ?`, [HANDSHAKE_WINDOW_MINUTES, late]),
      );
      expect((await pipeline.ingest(inbound('asana', '', { 'x-hook-secret': secret }, `hook=${late}`))).status).toBe(401);
    });

    it('stores a correctly signed batch, one row per event', async () => {
      expect((await pipeline.ingest(inbound('asana', events, { 'x-hook-signature': sign(events) }, `hook=${hook}`))).status).toBe(200);
      const rows = (await eventRows(db.database, org)).filter((row) => row.event_type === 'task.changed');
      expect(rows).toHaveLength(1);
    });

    it.each([
      ['a tampered body', () => ({ body: events.replace('changed', 'deleted'), signature: sign(events) })],
      ['the wrong secret', () => ({ body: events, signature: sign(events, 'wrong') })],
      ['a malformed signature', () => ({ body: events, signature: `sha256=${sign(events)}` })],
      ['no signature', () => ({ body: events, signature: undefined })],
    ])('refuses %s with 401', async (_name, make) => {
      const before = await eventsOf(integrations.asana);
      const { body, signature } = make();
      const reply = await pipeline.ingest(inbound('asana', body, signature ? { 'x-hook-signature': signature } : {}, `hook=${hook}`));
      expect(reply.status).toBe(401);
      expect(await eventsOf(integrations.asana)).toBe(before);
    });

    it('acknowledges heartbeats (empty events) without storing', async () => {
      const before = await eventsOf(integrations.asana);
      const heartbeat = JSON.stringify({ events: [] });
      expect((await pipeline.ingest(inbound('asana', heartbeat, { 'x-hook-signature': sign(heartbeat) }, `hook=${hook}`))).status).toBe(200);
      expect(await eventsOf(integrations.asana)).toBe(before);
    });
  });

  describe('Microsoft Graph (validationToken, clientState)', () => {
    const subscriptionId = randomUUID();
    const clientState = randomBytes(16).toString('hex');
    const notification = (state: string | undefined, extra: Record<string, unknown> = {}) => ({
      subscriptionId,
      clientState: state,
      changeType: 'created',
      resource: `Users/${randomUUID()}/Messages/${randomUUID()}`,
      tenantId: randomUUID(),
      ...extra,
    });

    beforeAll(() => pipeline.directory.register({ organizationId: org, integrationId: integrations.microsoft, provider: 'microsoft', externalId: subscriptionId, secret: clientState }));

    it('echoes validationToken as text/plain', async () => {
      const reply = await pipeline.ingest(inbound('microsoft', '', {}, 'validationToken=Validation%3A%20Testing%20client%20application'));
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('Validation: Testing client application');
      expect(reply.headers?.['content-type']).toMatch(/^text\/plain/);
    });

    it('stores each notification of a batch, without its clientState', async () => {
      const batch = JSON.stringify({ value: [notification(clientState), notification(clientState, { changeType: 'updated' })] });
      expect((await pipeline.ingest(inbound('microsoft', batch))).status).toBe(202);
      const rows = (await eventRows(db.database, org)).filter((row) => row.payload.subscriptionId === subscriptionId);
      expect(rows.map((row) => row.event_type).sort()).toEqual(['created', 'updated']);
      expect(rows.every((row) => !('clientState' in row.payload))).toBe(true);
    });

    it('refuses the whole batch when one clientState is wrong or missing', async () => {
      for (const bad of ['not-the-state', undefined]) {
        const before = await eventsOf(integrations.microsoft);
        const batch = JSON.stringify({ value: [notification(clientState), notification(bad)] });
        expect((await pipeline.ingest(inbound('microsoft', batch))).status).toBe(401);
        expect(await eventsOf(integrations.microsoft)).toBe(before);
      }
    });

    it('acknowledges notifications of unknown subscriptions without storing, and 400s malformed batches', async () => {
      const before = await countEvents(db.database);
      const batch = JSON.stringify({ value: [{ ...notification(clientState), subscriptionId: randomUUID() }] });
      expect((await pipeline.ingest(inbound('microsoft', batch))).status).toBe(202);
      expect((await pipeline.ingest(inbound('microsoft', '{"value": "nope"}'))).status).toBe(400);
      expect(await countEvents(db.database)).toBe(before);
    });
  });

  describe('Google push (channel id and token)', () => {
    const channelId = randomUUID();
    const token = randomBytes(16).toString('hex');
    const headers = (state: string, messageNumber: number, channelToken = token) => ({
      'x-goog-channel-id': channelId,
      'x-goog-channel-token': channelToken,
      'x-goog-resource-state': state,
      'x-goog-message-number': String(messageNumber),
      'x-goog-resource-id': 'resource-1',
      'x-goog-resource-uri': 'https://www.googleapis.com/calendar/v3/calendars/primary/events',
    });

    beforeAll(() => pipeline.directory.register({ organizationId: org, integrationId: integrations.google, provider: 'google', externalId: channelId, secret: token }));

    it('acknowledges sync without storing, stores a change once', async () => {
      expect((await pipeline.ingest(inbound('google', '', headers('sync', 1)))).status).toBe(200);
      expect(await eventsOf(integrations.google)).toBe(0);
      expect((await pipeline.ingest(inbound('google', '', headers('exists', 2)))).status).toBe(200);
      expect((await pipeline.ingest(inbound('google', '', headers('exists', 2)))).status).toBe(200);
      expect(await eventsOf(integrations.google)).toBe(1);
    });

    it('refuses a wrong or missing token with 401 and an unknown channel with 404', async () => {
      expect((await pipeline.ingest(inbound('google', '', headers('exists', 3, 'wrong-token')))).status).toBe(401);
      const { 'x-goog-channel-token': _token, ...noToken } = headers('exists', 4);
      expect((await pipeline.ingest(inbound('google', '', noToken))).status).toBe(401);
      expect((await pipeline.ingest(inbound('google', '', { ...headers('exists', 5), 'x-goog-channel-id': randomUUID() }))).status).toBe(404);
      expect(await eventsOf(integrations.google)).toBe(1);
    });
  });

  it('answers 404 for a provider id that names nothing', async () => {
    expect((await pipeline.ingest(inbound('Not A Provider!', '{}'))).status).toBe(404);
  });
});
