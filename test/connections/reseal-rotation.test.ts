import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openIntegrationToken, sealIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { resealTokens, type ResealProgress } from '../../src/connections/token-resealer.js';
import { createKeyRing, type EncryptionKey } from '../../src/crypto/key-ring.js';
import { createTokenCipher, sealedKeyId, type TokenCipher } from '../../src/crypto/token-sealing.js';
import { createStandardWebhooksReceiver } from '../../src/webhooks/receivers/standard-webhooks-receiver.js';
import { createWebhookDirectory } from '../../src/webhooks/webhook-directory.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { FakeProviderServer } from '../support/fake-provider-server.js';
import { inbound, insertIntegration, nowSeconds, standardSignature } from '../webhooks/support/webhook-fixtures.js';
import { buildServices, expireAccessToken, queryAsSuperuser, storedIntegration, testConfig, type Harness } from './connection-harness.js';

/**
 * A key rotation end to end: everything sealed with `old`, then `new` put first in the ring, then
 * `old` removed. Whatever the rotation leaves sealed with `old` breaks once it is removed.
 */
const OLD_KEY: EncryptionKey = { id: 'old', key: randomBytes(32) };
const NEW_KEY: EncryptionKey = { id: 'new', key: randomBytes(32) };
/** Before the rotation: what sealed the stored values. */
const before = createTokenCipher(createKeyRing([OLD_KEY]));
/** During the rotation: the new key seals, both open. */
const rotated = createTokenCipher(createKeyRing([NEW_KEY, OLD_KEY]));
/** After the old key is retired. */
const retired = createTokenCipher(createKeyRing([NEW_KEY]));
const ringVariable = (...keys: EncryptionKey[]): string => keys.map(({ id, key }) => `${id}:${key.toString('hex')}`).join(',');

/** Inserts a connected integration whose tokens were sealed by the given ciphers. */
async function insertSealedIntegration(
  url: string,
  options: { providerId?: string; accessWith: TokenCipher; refreshWith: TokenCipher | null; tokenKeyId: string; expired?: boolean },
): Promise<{ id: string; accessToken: string; refreshToken: string }> {
  const id = randomUUID();
  const accessToken = `access-${randomBytes(6).toString('hex')}`;
  const refreshToken = `refresh-${randomBytes(6).toString('hex')}`;
  await queryAsSuperuser(
    url,
    `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, refresh_token, token_key_id, token_expires_at)
     values ($1, $2, $3, $3, 'connected', $4, $5, $6, now() + $7::interval)`,
    [
      id,
      newOrganizationId(),
      options.providerId ?? 'google',
      sealIntegrationToken(options.accessWith, id, 'access_token', accessToken),
      options.refreshWith ? sealIntegrationToken(options.refreshWith, id, 'refresh_token', refreshToken) : null,
      options.tokenKeyId,
      options.expired ? '-1 minute' : '1 hour',
    ],
  );
  return { id, accessToken, refreshToken };
}

describe('a refresh that keeps the refresh token (Google)', () => {
  let db: TestDatabase;
  let during: Harness;
  let after: Harness;
  // Google's token endpoint answering a refresh the way Google does: no new refresh token.
  const google = new FakeProviderServer((status, message) => ({ status, json: { error: 'invalid_request', error_description: message } }));
  let issued = 0;
  google.route('POST', '/token', (request, check) => {
    check(request.form().get('grant_type') === 'refresh_token', 'only refreshes are expected');
    issued += 1;
    return { json: { access_token: `ya29.refreshed-${issued}`, token_type: 'Bearer', expires_in: 3599, scope: 'openid email' } };
  });

  beforeAll(async () => {
    const origin = await google.start();
    db = await createTestDatabase();
    during = buildServices(db.database, testConfig(origin, { INTEGRATION_ENCRYPTION_KEYS: ringVariable(NEW_KEY, OLD_KEY) }));
    after = buildServices(db.database, testConfig(origin, { INTEGRATION_ENCRYPTION_KEYS: ringVariable(NEW_KEY) }));
  });
  afterAll(async () => {
    await during?.pubsub.close();
    await after?.pubsub.close();
    await google.close();
    await db?.close();
  });

  it('re-seals the kept refresh token with the current key, so the old key can be retired', async () => {
    const { id, refreshToken } = await insertSealedIntegration(db.url, { accessWith: before, refreshWith: before, tokenKeyId: 'old', expired: true });

    expect(await during.services.tokens.getValidAccessToken(id)).toBe('ya29.refreshed-1');
    expect(google.requests.map((request) => request.form().get('refresh_token'))).toEqual([refreshToken]);
    const stored = await storedIntegration(db.url, id);
    expect(stored.token_key_id).toBe('new');
    expect(sealedKeyId(stored.access_token!)).toBe('new');
    expect(sealedKeyId(stored.refresh_token!)).toBe('new');
    // Opens with only the new key.
    expect(openIntegrationToken(retired, id, 'refresh_token', stored.refresh_token!)).toBe(refreshToken);

    // The old key removed from the ring (no reseal job run): the next refresh still works.
    await expireAccessToken(db.url, id);
    expect(await after.services.tokens.getValidAccessToken(id)).toBe('ya29.refreshed-2');
    expect(google.requests.map((request) => request.form().get('refresh_token'))).toEqual([refreshToken, refreshToken]);
    expect(google.violations).toEqual([]);
  });
});

describe('the reseal job after a rotation', () => {
  let db: TestDatabase;
  const organizationId = newOrganizationId();
  const progress: ResealProgress[] = [];
  let resealed: number;
  /** token_key_id already says `new`, yet the refresh token is sealed with `old` (a reconnect that kept it, or a refresh before the fix). */
  let mislabelled: Awaited<ReturnType<typeof insertSealedIntegration>>;
  /** Sealed with `old` throughout. */
  let stale: Awaited<ReturnType<typeof insertSealedIntegration>>;
  /** Already sealed with `new`: left alone. */
  let current: Awaited<ReturnType<typeof insertSealedIntegration>>;
  let currentBefore: { access_token: string | null; refresh_token: string | null };
  const acmeHook = randomUUID();
  const acmeSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const graphSubscription = randomUUID();
  const graphClientState = randomBytes(16).toString('hex');
  const googleChannel = randomUUID();
  const asanaHook = randomUUID();
  let googleChannelBefore: string;

  const endpointSecret = async (provider: string, externalId: string): Promise<string | null> => {
    const [row] = await queryAsSuperuser<{ secret: string | null }>(db.url, 'select secret from webhook_endpoints where provider = $1 and external_id = $2', [
      provider,
      externalId,
    ]);
    return row!.secret;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    mislabelled = await insertSealedIntegration(db.url, { accessWith: rotated, refreshWith: before, tokenKeyId: 'new' });
    stale = await insertSealedIntegration(db.url, { accessWith: before, refreshWith: before, tokenKeyId: 'old' });
    current = await insertSealedIntegration(db.url, { accessWith: rotated, refreshWith: rotated, tokenKeyId: 'new' });
    currentBefore = await storedIntegration(db.url, current.id);

    // Endpoints registered the way the service does, sealed by the webhook directory itself.
    const acme = await insertIntegration(db.database, organizationId, 'acme');
    const microsoft = await insertIntegration(db.database, organizationId, 'microsoft', randomUUID());
    const google = await insertIntegration(db.database, organizationId, 'google', 'google-sub');
    const asana = await insertIntegration(db.database, organizationId, 'asana');
    const oldDirectory = createWebhookDirectory({ database: db.database, cipher: before });
    await oldDirectory.register({ organizationId, integrationId: acme, provider: 'acme', externalId: acmeHook, secret: acmeSecret });
    await oldDirectory.register({ organizationId, integrationId: microsoft, provider: 'microsoft', externalId: graphSubscription, secret: graphClientState });
    await createWebhookDirectory({ database: db.database, cipher: rotated }).register({
      organizationId,
      integrationId: google,
      provider: 'google',
      externalId: googleChannel,
      secret: 'channel-token',
    });
    // Asana before its handshake: no secret yet.
    await oldDirectory.register({ organizationId, integrationId: asana, provider: 'asana', externalId: asanaHook });
    googleChannelBefore = (await endpointSecret('google', googleChannel))!;

    resealed = await resealTokens(db.database, rotated, { batchSize: 1, onProgress: (p) => progress.push(p) });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('re-seals a refresh token sealed with the old key even though token_key_id names the current key', async () => {
    const stored = await storedIntegration(db.url, mislabelled.id);
    expect(stored.token_key_id).toBe('new');
    expect(sealedKeyId(stored.refresh_token!)).toBe('new');
    expect(openIntegrationToken(retired, mislabelled.id, 'refresh_token', stored.refresh_token!)).toBe(mislabelled.refreshToken);
    expect(openIntegrationToken(retired, mislabelled.id, 'access_token', stored.access_token!)).toBe(mislabelled.accessToken);

    const staleRow = await storedIntegration(db.url, stale.id);
    expect(staleRow.token_key_id).toBe('new');
    expect(openIntegrationToken(retired, stale.id, 'access_token', staleRow.access_token!)).toBe(stale.accessToken);
    expect(openIntegrationToken(retired, stale.id, 'refresh_token', staleRow.refresh_token!)).toBe(stale.refreshToken);

    // A row sealed with the current key throughout is not rewritten.
    expect(await storedIntegration(db.url, current.id)).toMatchObject(currentBefore);
  });

  it('re-seals webhook endpoint secrets sealed with the old key: they open and verify with only the new key', async () => {
    expect(sealedKeyId((await endpointSecret('acme', acmeHook))!)).toBe('new');
    expect(sealedKeyId((await endpointSecret('microsoft', graphSubscription))!)).toBe('new');
    const directory = createWebhookDirectory({ database: db.database, cipher: retired });
    expect(await directory.endpoint('acme', acmeHook)).toMatchObject({ secret: acmeSecret, organizationId });
    expect(await directory.endpoint('microsoft', graphSubscription)).toMatchObject({ secret: graphClientState, organizationId });

    // A delivery signed with the endpoint's secret is accepted by a receiver holding only the new key.
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
    const timestamp = nowSeconds();
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignature(acmeSecret, 'msg_1', timestamp, body) };
    const received = await createStandardWebhooksReceiver({ directory }).receive(inbound('acme', body, headers, `hook=${acmeHook}`));
    expect(received.reply).toEqual({ status: 204 });

    // Already current: untouched. Awaiting its handshake: still no secret.
    expect(await endpointSecret('google', googleChannel)).toBe(googleChannelBefore);
    expect(await endpointSecret('asana', asanaHook)).toBeNull();
  });

  it('reports progress over both tables, batch by batch', () => {
    expect(resealed).toBe(4);
    const table = (done: number, total: number) => ({ done, total });
    expect(progress).toEqual([
      { done: 0, total: 4, integrations: table(0, 2), webhookEndpoints: table(0, 2) },
      { done: 1, total: 4, integrations: table(1, 2), webhookEndpoints: table(0, 2) },
      { done: 2, total: 4, integrations: table(2, 2), webhookEndpoints: table(0, 2) },
      { done: 3, total: 4, integrations: table(2, 2), webhookEndpoints: table(1, 2) },
      { done: 4, total: 4, integrations: table(2, 2), webhookEndpoints: table(2, 2) },
    ]);
  });

  it('leaves nothing sealed with the old key in either table', async () => {
    const integrations = await queryAsSuperuser(
      db.url,
      `select id from integrations
        where token_key_id = 'old' or split_part(access_token, '.', 2) = 'old' or split_part(refresh_token, '.', 2) = 'old'`,
    );
    const endpoints = await queryAsSuperuser(db.url, `select id from webhook_endpoints where split_part(secret, '.', 2) = 'old'`);
    expect({ integrations, endpoints }).toEqual({ integrations: [], endpoints: [] });
    // Every stored value is one the new key alone opens, and a second run finds nothing to do.
    const sealed = await queryAsSuperuser<{ value: string }>(
      db.url,
      `select access_token as value from integrations where access_token is not null
       union all select refresh_token from integrations where refresh_token is not null
       union all select secret from webhook_endpoints where secret is not null`,
    );
    expect(sealed.length).toBeGreaterThan(0);
    expect(new Set(sealed.map(({ value }) => sealedKeyId(value)))).toEqual(new Set(['new']));
    expect(await resealTokens(db.database, rotated)).toBe(0);
  });
});
