import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/errors/app-error.js';
import { startTestApp, type TestApp } from '../http/support/test-app.js';
import { ASANA_ACCESS_TOKEN, createFakeAsana } from '../support/fake-asana.js';
import { GOOGLE_ACCESS_TOKEN } from '../support/fake-google.js';
import type { FakeProviderServer } from '../support/fake-provider-server.js';
import { createFakeSlack, SLACK_BOT_TOKEN } from '../support/fake-slack.js';
import { seedIntegrations } from '../graphql/support/seed.js';
import { createProxiedGoogle, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN, type StoredDriveFile } from './support/proxied-google.js';
import { rawRequest } from './support/raw-http.js';
import { seedConnectedIntegration } from './support/seed-connected-integration.js';

const MAX_BODY_MB = 8;
const MAX_BODY_BYTES = MAX_BODY_MB * 1024 * 1024;

let subject: TestApp;
let google: FakeProviderServer;
let driveFiles: Map<string, StoredDriveFile>;
let slack: FakeProviderServer;
let asana: FakeProviderServer;

const organization = randomUUID();
const otherOrganization = randomUUID();
let token: string;
let otherToken: string;
const ids = { google: '', slack: '', asana: '', disconnected: '', needsReauthorization: '', failedTest: '' };

beforeAll(async () => {
  ({ server: google, files: driveFiles } = createProxiedGoogle());
  ({ server: slack } = createFakeSlack());
  ({ server: asana } = createFakeAsana());
  await Promise.all([google.start(), slack.start(), asana.start()]);
  subject = await startTestApp({
    GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET,
    GOOGLE_TOKEN_URL: `${google.url}/token`,
    GOOGLE_API_BASE_URL: google.url,
    SLACK_API_BASE_URL: `${slack.url}/api`,
    ASANA_API_BASE_URL: `${asana.url}/api/1.0`,
    // Anything that reached Microsoft's base URL would show up on the Google fake, under /graph.
    MICROSOFT_API_BASE_URL: `${google.url}/graph`,
    PROXY_MAX_REQUEST_BODY_MB: String(MAX_BODY_MB),
    PROXY_FORWARD_HEADERS: 'X-Deployment-Arg',
  });
  token = await subject.token({ organizationId: organization, roles: [] });
  otherToken = await subject.token({ organizationId: otherOrganization, roles: ['admin'] });
  const { app } = subject;
  ids.google = await seedConnectedIntegration(app, { organizationId: organization, providerId: 'google', accessToken: GOOGLE_ACCESS_TOKEN, refreshToken: GOOGLE_REFRESH_TOKEN });
  ids.slack = await seedConnectedIntegration(app, { organizationId: organization, providerId: 'slack', accessToken: SLACK_BOT_TOKEN });
  ids.asana = await seedConnectedIntegration(app, { organizationId: organization, providerId: 'asana', accessToken: ASANA_ACCESS_TOKEN });
  ids.disconnected = await seedConnectedIntegration(app, { organizationId: organization, providerId: 'microsoft', accessToken: 'eyJ0eXAiOi.graph', status: 'disconnected' });
  ids.needsReauthorization = await seedConnectedIntegration(app, {
    organizationId: otherOrganization,
    providerId: 'microsoft',
    accessToken: 'eyJ0eXAiOi.graph-refused',
    status: 'error',
    needsReauthorization: true,
  });
  // ERROR after a failed connection test: its tokens were not refused by a refresh, but it is not CONNECTED.
  ids.failedTest = await seedConnectedIntegration(app, { organizationId: otherOrganization, providerId: 'google', accessToken: GOOGLE_ACCESS_TOKEN, status: 'error' });
});

afterAll(async () => {
  await subject?.close();
  await Promise.all([google?.close(), slack?.close(), asana?.close()]);
});

const proxyUrl = (integrationId: string, path: string): string => `${subject.url}/proxy/${integrationId}${path}`;

function proxied(integrationId: string, path: string, init: RequestInit & { bearer?: string } = {}): Promise<Response> {
  const { bearer = token, headers, ...rest } = init;
  return fetch(proxyUrl(integrationId, path), { ...rest, headers: { authorization: `Bearer ${bearer}`, ...(headers as Record<string, string>) } });
}

/** A stream of `total` random bytes in 64 KiB chunks, and the SHA-256 of what it sends. */
function randomStream(total: number): { stream: ReadableStream<Uint8Array>; sha256: string } {
  const bytes = randomBytes(total);
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 65_536));
      offset += 65_536;
    },
  });
  return { stream, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function sha256Of(body: ReadableStream<Uint8Array>): Promise<{ sha256: string; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    hash.update(read.value);
    length += read.value.byteLength;
  }
  return { sha256: hash.digest('hex'), length };
}

describe('passing calls on', () => {
  it('passes a GET on with its query string as written, with the integration’s token', async () => {
    google.reset();
    const response = await proxied(ids.google, "/calendar/v3/users/me/calendarList?pageToken=page-2&q=name%20contains%20%27a%2Bb%27");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: 'calendar#calendarList', nextSyncToken: 'sync-1' });
    const [received] = google.requests;
    expect(received?.path).toBe('/calendar/v3/users/me/calendarList');
    expect(received?.query.get('pageToken')).toBe('page-2');
    expect(received?.query.get('q')).toBe("name contains 'a+b'");
    expect(received?.headers.authorization).toBe(`Bearer ${GOOGLE_ACCESS_TOKEN}`);
    expect(google.violations).toEqual([]);
  });

  it('passes a POST with a JSON body on, and the provider’s answer back', async () => {
    google.reset();
    const event = { summary: 'Standup', start: { dateTime: '2026-12-07T09:00:00Z' }, end: { dateTime: '2026-12-07T09:15:00Z' } };
    const response = await proxied(ids.google, '/calendar/v3/calendars/primary/events?sendUpdates=none', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: 'calendar#event', id: 'evt123', summary: 'Standup' });
    expect(google.requests[0]?.json()).toEqual(event);
    expect(google.violations).toEqual([]);
  });

  it('streams a binary body of a few MB to the provider and back, byte for byte', async () => {
    google.reset();
    // Chunked (no Content-Length): Drive's simple upload accepts it (manage-uploads#simple).
    const upload = randomStream(4 * 1024 * 1024 + 123);
    const created = await proxied(ids.google, '/upload/drive/v3/files?uploadType=media', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: upload.stream,
      duplex: 'half',
    } as RequestInit);
    expect(created.status).toBe(200);
    const file = (await created.json()) as { id: string };
    expect(driveFiles.get(file.id)?.sha256).toBe(upload.sha256);

    const download = await proxied(ids.google, `/drive/v3/files/${file.id}?alt=media`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-length')).toBe(String(4 * 1024 * 1024 + 123));
    expect(await sha256Of(download.body!)).toEqual({ sha256: upload.sha256, length: 4 * 1024 * 1024 + 123 });
    expect(google.violations).toEqual([]);
  });

  it('passes the Content-Length of a body on', async () => {
    google.reset();
    const bytes = randomBytes(300_000);
    const created = await proxied(ids.google, '/upload/drive/v3/files?uploadType=media', { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes });
    expect(created.status).toBe(200);
    expect(google.requests[0]?.headers['content-length']).toBe('300000');
    expect(google.violations).toEqual([]);
  });

  it('passes a compressed body on as the provider sent it, to a caller that accepts it, and asks for none for one that does not', async () => {
    const compressed = await rawRequest(proxyUrl(ids.google, '/drive/v3/about?fields=user'), { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } });
    expect(compressed.status).toBe(200);
    expect(google.requests.at(-1)?.headers['accept-encoding']).toBe('gzip');
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(compressed.body).toString('utf8'))).toMatchObject({ kind: 'drive#about', user: { emailAddress: 'ada@example.com' } });

    const plain = await rawRequest(proxyUrl(ids.google, '/drive/v3/about?fields=user'), { headers: { authorization: `Bearer ${token}` } });
    expect(google.requests.at(-1)?.headers['accept-encoding']).toBeUndefined();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.json()).toMatchObject({ kind: 'drive#about' });
  });

  it('passes the provider’s 4xx back as it is', async () => {
    const response = await proxied(ids.google, '/drive/v3/files/does-not-exist?alt=media');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});

describe('what crosses the proxy', () => {
  it('never passes the caller’s JWT, cookies, or hop-by-hop and gateway headers on; allow-listed ones pass', async () => {
    google.reset();
    const answer = await rawRequest(proxyUrl(ids.google, '/oauth2/v3/userinfo'), {
      headers: {
        authorization: `Bearer ${token}`,
        cookie: 'session=caller-session; theme=dark',
        'proxy-authorization': 'Basic Y2FsbGVyOnNlY3JldA==',
        'x-api-key': 'gateway-api-key',
        'x-forwarded-for': '203.0.113.7',
        'x-request-id': 'caller-request-1',
        connection: 'keep-alive, x-caller-hop',
        'x-caller-hop': 'must-not-pass',
        te: 'trailers',
        'keep-alive': 'timeout=5',
        accept: 'application/json',
        'if-none-match': '"etag-1"',
        prefer: 'return=minimal',
        'x-deployment-arg': 'allowed-by-config',
      },
    });
    expect(answer.status).toBe(200);
    const received = google.requests[0]!.headers;
    expect(received.authorization).toBe(`Bearer ${GOOGLE_ACCESS_TOKEN}`);
    expect(received.host).toBe(new URL(google.url).host);
    for (const name of ['cookie', 'proxy-authorization', 'x-api-key', 'x-forwarded-for', 'x-request-id', 'x-caller-hop', 'te', 'keep-alive']) {
      expect(received).not.toHaveProperty(name);
    }
    expect(received).toMatchObject({ accept: 'application/json', 'if-none-match': '"etag-1"', prefer: 'return=minimal', 'x-deployment-arg': 'allowed-by-config' });
    expect(JSON.stringify(received)).not.toContain(token);
  });

  it('returns no cookie, hop-by-hop header or origin policy of the provider, and keeps its other headers', async () => {
    google.enqueue('GET', '/oauth2/v3/userinfo', {
      headers: {
        'set-cookie': ['NID=provider-cookie; Domain=.google.com', 'other=1'],
        connection: 'x-upstream-hop',
        'x-upstream-hop': 'must-not-return',
        'keep-alive': 'timeout=99',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'access-control-allow-origin': '*',
        link: '<https://www.googleapis.com/oauth2/v3/userinfo?page=2>; rel="next"',
        'x-ratelimit-remaining': '99',
        etag: '"userinfo-1"',
        'cache-control': 'public, max-age=60',
      },
      json: { sub: '110169484474386276334' },
    });
    const answer = await rawRequest(proxyUrl(ids.google, '/oauth2/v3/userinfo'), { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    for (const name of ['set-cookie', 'x-upstream-hop', 'strict-transport-security', 'access-control-allow-origin']) expect(answer.headers).not.toHaveProperty(name);
    expect(answer.headers['keep-alive']).not.toBe('timeout=99');
    expect(answer.headers).toMatchObject({ link: '<https://www.googleapis.com/oauth2/v3/userinfo?page=2>; rel="next"', 'x-ratelimit-remaining': '99', etag: '"userinfo-1"' });
    // A shared cache in front must not keep one caller's answer for another.
    expect(answer.headers['cache-control']).toBe('private, max-age=60');
  });

  it('refuses paths that would leave the provider’s API base URL, and TRACE', async () => {
    google.reset();
    for (const path of ['/drive/v3/%2e%2e/%2E%2E/oauth2/v3/userinfo', '/drive/v3/../../token', '/drive\\v3']) {
      const answer = await rawRequest(proxyUrl(ids.google, path), { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    const trace = await rawRequest(proxyUrl(ids.google, '/oauth2/v3/userinfo'), { method: 'TRACE', headers: { authorization: `Bearer ${token}` } });
    expect(trace.status).toBe(400);
    expect(google.requests).toEqual([]);
  });
});

describe('the request body limit', () => {
  it('refuses a body that says it is over the limit with 413 before reading any of it', async () => {
    google.reset();
    const answer = await rawRequest(proxyUrl(ids.google, '/upload/drive/v3/files?uploadType=media'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(MAX_BODY_BYTES + 1) },
      // Headers only: the body never comes, so an answer proves none of it was awaited.
      write: (request) => request.flushHeaders(),
    });
    expect(answer.status).toBe(413);
    expect(answer.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_BODY_BYTES });
    expect(google.requests).toEqual([]);
  });

  it('refuses a chunked body with 413 as soon as it passes the limit, while the caller is still sending', async () => {
    let sent = 0;
    const answer = await rawRequest(proxyUrl(ids.google, '/upload/drive/v3/files?uploadType=media'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      // Past the limit, then never ended: only a proxy that refuses mid-stream can answer.
      write: (request) => {
        const chunk = randomBytes(256 * 1024);
        const more = (): void => {
          while (sent <= MAX_BODY_BYTES + chunk.length) {
            sent += chunk.length;
            if (!request.write(chunk)) return void request.once('drain', more);
          }
        };
        more();
      },
    });
    expect(answer.status).toBe(413);
    expect(answer.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(answer.headers.connection).toBe('close');
  });
});

describe('errors', () => {
  it('answers 401 UNAUTHENTICATED without a valid JWT, and calls nothing', async () => {
    google.reset();
    const missing = await fetch(proxyUrl(ids.google, '/oauth2/v3/userinfo'));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = await proxied(ids.google, '/oauth2/v3/userinfo', { bearer: `${token.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(google.requests).toEqual([]);
  });

  it('answers another organization’s integration exactly like one that does not exist', async () => {
    google.reset();
    const foreign = await proxied(ids.google, '/oauth2/v3/userinfo', { bearer: otherToken });
    const unknown = await proxied(randomUUID(), '/oauth2/v3/userinfo', { bearer: otherToken });
    const malformed = await proxied('not-a-uuid', '/oauth2/v3/userinfo', { bearer: otherToken });
    for (const response of [foreign, unknown, malformed]) expect(response.status).toBe(404);
    const bodies = await Promise.all([foreign.json(), unknown.json(), malformed.json()]);
    expect(bodies[0]).toEqual({ code: 'NOT_FOUND', message: 'Integration not found' });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(google.requests).toEqual([]);
  });

  it('answers 409 INTEGRATION_NOT_CONNECTED for a disconnected integration, one in ERROR or needing reauthorization, with no call', async () => {
    google.reset();
    const failedTest = await proxied(ids.failedTest, '/oauth2/v3/userinfo', { bearer: otherToken });
    expect(failedTest.status).toBe(409);
    expect(await failedTest.json()).toMatchObject({ code: 'INTEGRATION_NOT_CONNECTED', status: 'ERROR', needsReauthorization: false });
    const disconnected = await proxied(ids.disconnected, '/v1.0/me');
    expect(disconnected.status).toBe(409);
    expect(await disconnected.json()).toMatchObject({ code: 'INTEGRATION_NOT_CONNECTED', status: 'DISCONNECTED', needsReauthorization: false });
    const refused = await proxied(ids.needsReauthorization, '/v1.0/me', { bearer: otherToken });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'INTEGRATION_NOT_CONNECTED', status: 'ERROR', needsReauthorization: true });
    expect(google.requests).toEqual([]);
  });

  it('answers an unexpected failure as 500 INTERNAL_SERVER_ERROR in its own words (here a token that does not open)', async () => {
    const organizationId = randomUUID();
    const [seeded] = await seedIntegrations(subject.app.database, organizationId, [{ providerId: 'google' }]);
    google.reset();
    const response = await proxied(seeded!.id, '/oauth2/v3/userinfo', { bearer: await subject.token({ organizationId }) });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' });
    expect(google.requests).toEqual([]);
  });

  it('answers a 429 that asks for a long wait at once: 429 RATE_LIMITED with Retry-After', async () => {
    slack.reset();
    slack.enqueue('GET', '/api/conversations.list', { status: 429, headers: { 'retry-after': '30' }, json: { ok: false, error: 'ratelimited' } });
    const response = await proxied(ids.slack, '/conversations.list?limit=200');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(await response.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
    expect(slack.count('GET', '/api/conversations.list')).toBe(1);
  });

  it('waits out a short Retry-After and retries a GET', async () => {
    slack.reset();
    slack.enqueue('GET', '/api/conversations.list', { status: 429, headers: { 'retry-after': '1' }, json: { ok: false, error: 'ratelimited' } });
    const response = await proxied(ids.slack, '/conversations.list?limit=200');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, channels: [{ name: 'general' }, { name: 'random' }] });
    expect(slack.count('GET', '/api/conversations.list')).toBe(2);
    expect(slack.violations).toEqual([]);
  });
});

/** A Google integration of a new organization whose access token Google no longer accepts, and that organization's JWT. */
async function staleIntegration(refreshToken: string): Promise<{ integrationId: string; bearer: string }> {
  const organizationId = randomUUID();
  const integrationId = await seedConnectedIntegration(subject.app, { organizationId, providerId: 'google', accessToken: 'ya29.revoked-by-google-early', refreshToken });
  return { integrationId, bearer: await subject.token({ organizationId }) };
}

describe('fresh tokens', () => {
  it('refreshes once when the provider refuses the token, and retries with the new one', async () => {
    const { integrationId, bearer } = await staleIntegration(GOOGLE_REFRESH_TOKEN);
    google.reset();
    const response = await proxied(integrationId, '/oauth2/v3/userinfo', { bearer });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: 'ada@example.com' });
    expect(google.count('POST', '/token')).toBe(1);
    expect(google.requests.filter((request) => request.path === '/oauth2/v3/userinfo').map((request) => request.headers.authorization)).toEqual([
      'Bearer ya29.revoked-by-google-early',
      `Bearer ${GOOGLE_ACCESS_TOKEN}`,
    ]);
    expect(google.violations).toEqual([]);
  });

  it('gives a refused streamed upload its 401 (a stream is not sent twice), and the next call the refreshed token', async () => {
    const { integrationId, bearer } = await staleIntegration(GOOGLE_REFRESH_TOKEN);
    google.reset();
    const upload = await proxied(integrationId, '/upload/drive/v3/files?uploadType=media', {
      method: 'POST',
      bearer,
      headers: { 'content-type': 'text/plain' },
      body: randomStream(100_000).stream,
      duplex: 'half',
    } as RequestInit);
    expect(upload.status).toBe(401);
    expect(await upload.json()).toMatchObject({ error: { status: 'UNAUTHENTICATED' } });
    expect(google.count('POST', '/token')).toBe(1);
    const next = await proxied(integrationId, '/oauth2/v3/userinfo', { bearer });
    expect(next.status).toBe(200);
    expect(google.count('POST', '/token')).toBe(1);
  });
});

describe('refreshes that fail', () => {
  it('answers 409 INTEGRATION_NOT_CONNECTED when the provider refuses the refresh token (needs reauthorization)', async () => {
    const { integrationId, bearer } = await staleIntegration('1//revoked-refresh-token');
    const response = await proxied(integrationId, '/oauth2/v3/userinfo', { bearer });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'INTEGRATION_NOT_CONNECTED', status: 'ERROR', needsReauthorization: true, integrationId });
    // Marked for reauthorization: the next call makes no request at all.
    google.reset();
    expect((await proxied(integrationId, '/oauth2/v3/userinfo', { bearer })).status).toBe(409);
    expect(google.requests).toEqual([]);
  });

  it('answers 429 with a Retry-After when the token endpoint rate-limits the refresh', async () => {
    const { integrationId, bearer } = await staleIntegration(GOOGLE_REFRESH_TOKEN);
    google.enqueue('POST', '/token', { status: 429, json: { error: 'rate_limit_exceeded' } });
    const response = await proxied(integrationId, '/oauth2/v3/userinfo', { bearer });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
  });
});

describe('connections.proxy (the library API)', () => {
  it('answers with the provider’s Response, scoped to the organization given', async () => {
    const connections = subject.app.services.connections!;
    const response = await connections.proxy(ids.google, { path: '/oauth2/v3/userinfo' }, { organizationId: organization });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: 'ada@example.com' });
    await expect(connections.proxy(ids.google, { path: '/oauth2/v3/userinfo' }, { organizationId: otherOrganization })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sends bytes and refuses bytes over the limit before calling', async () => {
    google.reset();
    const connections = subject.app.services.connections!;
    const bytes = randomBytes(1000);
    const response = await connections.proxy(ids.google, {
      path: '/upload/drive/v3/files?uploadType=media',
      method: 'POST',
      headers: { 'Content-Type': 'application/pdf' },
      body: bytes,
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect(driveFiles.get(id)?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const tooLarge = connections.proxy(ids.google, { path: '/upload/drive/v3/files?uploadType=media', method: 'POST', body: new Uint8Array(MAX_BODY_BYTES + 1) });
    await expect(tooLarge).rejects.toBeInstanceOf(AppError);
    await expect(tooLarge).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(google.count('POST', '/upload/drive/v3/files')).toBe(1);
  });
});

describe('a provider that is down', () => {
  it('passes its own 5xx back, then opens its breaker: 503 PROVIDER_UNAVAILABLE without a call', async () => {
    asana.route('GET', '/api/1.0/workspaces', () => ({ status: 500, json: { errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] } }));
    asana.reset();
    const first = await proxied(ids.asana, '/workspaces?limit=1');
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ errors: [{ phrase: '6 sad squid snuggle softly' }] });
    // Each GET is tried three times; the breaker opens after five consecutive failures.
    let answer = await proxied(ids.asana, '/workspaces?limit=1');
    for (let calls = 2; answer.status !== 503 && calls < 5; calls += 1) answer = await proxied(ids.asana, '/workspaces?limit=1');
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', circuitOpen: true });
    const before = asana.requests.length;
    const refused = await proxied(ids.asana, '/workspaces?limit=1');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(asana.requests.length).toBe(before);
  });
});

describe('observability', () => {
  it('counts proxied calls as provider calls and logs no token, JWT or body', async () => {
    const metrics = await (await fetch(`${subject.url}/metrics`)).text();
    expect(metrics).toMatch(/integrations_provider_requests_total\{provider="google",method="GET",status_class="2xx"\} \d+/);
    expect(metrics).toContain('http_requests_total{method="GET",route="/proxy/:integrationId{/*path}",status="200"}');
    const logs = subject.logs.join('\n');
    for (const secret of [GOOGLE_ACCESS_TOKEN, GOOGLE_REFRESH_TOKEN, SLACK_BOT_TOKEN, ASANA_ACCESS_TOKEN, token, otherToken, 'caller-session', 'gateway-api-key']) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain('Ada Lovelace');
  });

  it('writes an access log line for each proxied call, with its path but not its query, under the id it answers with', async () => {
    const answer = await proxied(ids.google, '/calendar/v3/users/me/calendarList?pageToken=secret-page-token');
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const lines = subject.logs.map((line) => JSON.parse(line) as { msg: string; level: number; req?: { id: string; method: string; path: string }; res?: { statusCode: number } });
    expect(lines.filter((line) => line.req?.id === requestId)).toEqual([
      expect.objectContaining({ msg: 'request completed', level: 30, req: { id: requestId, method: 'GET', path: `/proxy/${ids.google}/calendar/v3/users/me/calendarList` }, res: { statusCode: 200 } }),
    ]);
    expect(JSON.stringify(lines.filter((line) => line.msg === 'request completed'))).not.toContain('secret-page-token');
  });
});
