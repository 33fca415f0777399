import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { DAY, FakeClock } from '../../support/fake-clock.js';
import { GMAIL_PUBLISHER } from '../../support/fake-gmail-watch.js';
import { createFakeGoogle, GOOGLE_ACCESS_TOKEN } from '../../support/fake-google.js';
import { callApi, type ApiAnswer } from './support/call-api.js';
import { RecordingReceiver, type Received } from './support/recording-receiver.js';

const TOPIC = 'projects/integrations-test/topics/gmail';
const PUSH_ACCOUNT = 'gmail-push@integrations-test.iam.gserviceaccount.com';
const clock = new FakeClock(Date.parse('2026-12-05T09:00:00Z'));
const google = createFakeGoogle({ clock, retryDelaysMs: [10, 10, 10] });
const receiver = new RecordingReceiver();
let api: string;
let audience: string;

beforeAll(async () => {
  api = await google.server.start();
  await receiver.start();
  audience = `${receiver.url}/webhooks/google`;
  google.pubsub
    .createTopic(TOPIC, [GMAIL_PUBLISHER])
    .createTopic('projects/integrations-test/topics/closed')
    .createPushSubscription({ name: 'projects/integrations-test/subscriptions/gmail-push', topic: TOPIC, pushEndpoint: audience, serviceAccountEmail: PUSH_ACCOUNT });
});

afterEach(async () => {
  await google.server.idle();
  const violations = [...google.server.violations];
  google.server.reset();
  receiver.received.length = 0;
  receiver.answer = () => ({});
  expect(violations).toEqual([]);
});

afterAll(async () => {
  await google.server.close();
  await receiver.close();
});

const call = (path: string, body?: unknown): Promise<ApiAnswer> => callApi(`${api}${path}`, 'POST', GOOGLE_ACCESS_TOKEN, body);

/** What the service has to do with a push: verify its token, then read the message. */
async function verifyPush(request: Received): Promise<{ claims: Record<string, unknown>; notification: Record<string, unknown>; message: Record<string, any> }> {
  const token = String(request.headers.authorization).replace(/^Bearer /, '');
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${api}/oauth2/v3/certs`)), { issuer: 'https://accounts.google.com', audience });
  const { message, subscription } = JSON.parse(request.body) as { message: Record<string, any>; subscription: string };
  expect(subscription).toBe('projects/integrations-test/subscriptions/gmail-push');
  return { claims: payload, notification: JSON.parse(Buffer.from(message.data, 'base64').toString('utf8')) as Record<string, unknown>, message };
}

describe('users.watch', () => {
  it('answers historyId and a 7-day expiration, pushes nothing until the mailbox changes, then a signed notification', async () => {
    const watch = await call('/gmail/v1/users/me/watch', { topicName: TOPIC, labelIds: ['INBOX'], labelFilterBehavior: 'INCLUDE' });
    expect(watch.status).toBe(200);
    expect(watch.json).toEqual({ historyId: google.gmail.historyId(), expiration: String(clock.now() + 7 * DAY) });
    await google.server.idle();
    expect(receiver.received).toHaveLength(0);
    await google.gmail.receiveMail({ labelIds: ['INBOX'] });
    expect(receiver.received).toHaveLength(1);
    const { claims, notification, message } = await verifyPush(receiver.received[0]!);
    expect(claims).toMatchObject({ iss: 'https://accounts.google.com', aud: audience, email: PUSH_ACCOUNT, email_verified: true, sub: expect.stringMatching(/^\d{21}$/) });
    expect(claims.azp).toBe(claims.sub);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(notification).toEqual({ emailAddress: 'ada@example.com', historyId: Number(google.gmail.historyId()) });
    expect(message).toMatchObject({ messageId: expect.any(String), message_id: message.messageId, publishTime: expect.any(String), publish_time: message.publishTime, attributes: {} });
  });

  it('refuses a topic outside the project, one Pub/Sub does not know, and one Gmail may not publish to', async () => {
    expect((await call('/gmail/v1/users/me/watch', { topicName: 'projects/other/topics/gmail' })).json.error).toMatchObject({
      code: 400,
      message: 'Invalid topicName does not match projects/integrations-test/topics/*',
    });
    expect((await call('/gmail/v1/users/me/watch', { topicName: 'projects/integrations-test/topics/missing' })).status).toBe(404);
    expect((await call('/gmail/v1/users/me/watch', { topicName: 'projects/integrations-test/topics/closed' })).json.error).toMatchObject({
      code: 403,
      message: 'User not authorized to perform this action.',
    });
  });
});

describe('mail arriving', () => {
  it('notifies what the label filter lets through, until stop, and not after the watch lapses on the fake clock', async () => {
    await call('/gmail/v1/users/me/watch', { topicName: TOPIC, labelIds: ['INBOX'], labelFilterBehavior: 'include' });

    expect(await google.gmail.receiveMail({ labelIds: ['INBOX', 'UNREAD'] })).toHaveLength(1);
    expect(await google.gmail.receiveMail({ labelIds: ['SPAM'] })).toEqual([]);
    const { notification } = await verifyPush(receiver.received[0]!);
    expect(Number(notification.historyId)).toBeLessThan(Number(google.gmail.historyId()));

    clock.advance(7 * DAY);
    expect(google.gmail.isWatching()).toBe(false);
    expect(await google.gmail.receiveMail()).toEqual([]);

    await call('/gmail/v1/users/me/watch', { topicName: TOPIC });
    expect((await call('/gmail/v1/users/me/stop')).status).toBe(204);
    expect(await google.gmail.receiveMail()).toEqual([]);
  });
});

describe('Pub/Sub push', () => {
  it('retries a push that is not acknowledged, with the same message id', async () => {
    let answered = 0;
    receiver.answer = () => ({ status: ++answered < 3 ? 503 : 204 });
    const [outcome] = await google.pubsub.publish(TOPIC, { emailAddress: 'ada@example.com', historyId: 1 });
    expect(outcome!.acknowledged).toBe(true);
    expect(outcome!.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 204]);
    expect(new Set(receiver.received.map((request) => JSON.parse(request.body).message.messageId)).size).toBe(1);

    receiver.answer = () => ({ status: 400 });
    const [refused] = await google.pubsub.publish(TOPIC, 'x');
    expect(refused).toMatchObject({ acknowledged: false, attempts: [{ status: 400 }, { status: 400 }, { status: 400 }, { status: 400 }] });
  });

  it('sends the tokens a verifier must refuse: wrong audience, issuer, email, expired, foreign key, none', async () => {
    const data = { emailAddress: 'ada@example.com', historyId: 1 };
    const refusals: [Record<string, unknown>, string][] = [
      [{ audience: 'https://elsewhere.example/push' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [{ issuer: 'https://evil.example' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [{ expiresInSeconds: -60 }, 'ERR_JWT_EXPIRED'],
      [{ foreignKey: true }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ];
    for (const [token, code] of refusals) {
      await google.pubsub.publish(TOPIC, data, { token });
      await expect(verifyPush(receiver.received.at(-1)!)).rejects.toMatchObject({ code });
    }
    await google.pubsub.publish(TOPIC, data, { token: { email: 'someone@evil.example', emailVerified: false } });
    const { claims } = await verifyPush(receiver.received.at(-1)!);
    expect(claims).toMatchObject({ email: 'someone@evil.example', email_verified: false });
    await google.pubsub.publish(TOPIC, data, { token: { omit: true } });
    expect(receiver.received.at(-1)!.headers.authorization).toBeUndefined();
    expect(decodeJwt(await google.pubsub.token(google.pubsub.subscriptions.get('projects/integrations-test/subscriptions/gmail-push')!)).aud).toBe(audience);
  });
});
