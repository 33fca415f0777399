import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { DEMO_ORGANIZATION_ID } from '../../src/auth/development-token.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { postGraphQL, startTestApp, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

let subject: TestApp;

beforeAll(async () => {
  subject = await startTestApp();
});
afterAll(async () => {
  await subject?.close();
});

/** Signs claims the way a misbehaving or foreign issuer might. */
async function sign(
  claims: Record<string, unknown>,
  options: { secret?: string; issuer?: string | null; audience?: string | null; expiresAt?: number; subject?: string | null } = {},
): Promise<string> {
  const jwt = new SignJWT({ org: randomUUID(), roles: ['admin'], ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (options.subject !== null) jwt.setSubject(options.subject ?? 'user-1');
  if (options.issuer !== null) jwt.setIssuer(options.issuer ?? TEST_ISSUER);
  if (options.audience !== null) jwt.setAudience(options.audience ?? TEST_AUDIENCE);
  jwt.setExpirationTime(options.expiresAt ?? '5m');
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

describe('health and readiness', () => {
  it('answers /healthz', async () => {
    const response = await fetch(`${subject.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the database and Redis up', async () => {
    const response = await fetch(`${subject.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
  });
});

describe('request ids', () => {
  it('keeps a well-formed x-request-id and logs it', async () => {
    const response = await fetch(`${subject.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'gateway-req-42', authorization: `Bearer ${await subject.token()}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('gateway-req-42');
    expect(subject.logs.some((line) => line.includes('"id":"gateway-req-42"'))).toBe(true);
  });

  it('replaces a malformed one with a fresh id', async () => {
    const response = await fetch(`${subject.url}/healthz`, { headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('authentication over HTTP', () => {
  const query = '{ integrations { id } }';

  it('answers a valid token with data', async () => {
    const { status, body } = await postGraphQL(subject.url, query, { token: await subject.token() });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { integrations: [] } });
  });

  it('refuses a request without a token with 401 UNAUTHENTICATED', async () => {
    const { status, headers, body } = await postGraphQL(subject.url, query);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([{ message: 'missing bearer token', extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['a bad signature', () => sign({}, { secret: 'another-secret-another-secret-another' }), /invalid token/],
    ['an expired token', () => sign({}, { expiresAt: Math.floor(Date.now() / 1000) - 600 }), /expired/],
    ['the wrong audience', () => sign({}, { audience: 'someone-else' }), /audience/],
    ['no audience', () => sign({}, { audience: null }), /audience/],
    ['the wrong issuer', () => sign({}, { issuer: 'https://evil.test' }), /issuer/],
    ['no organization claim', () => sign({ org: undefined }), /"org" claim/],
    ['an organization claim that is not a UUID', () => sign({ org: 'acme' }), /"org" claim/],
    ['no subject', () => sign({}, { subject: null }), /sub/],
    ['roles that are not an array', () => sign({ roles: 'admin' }), /roles/],
  ])('refuses %s', async (_case, makeToken, message) => {
    const token = await makeToken();
    const { status, body } = await postGraphQL(subject.url, query, { token });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('refuses an alg "none" token and a non-Bearer scheme', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', org: randomUUID(), aud: TEST_AUDIENCE, iss: TEST_ISSUER, exp: 9999999999 })).toString('base64url')}.`;
    expect((await postGraphQL(subject.url, query, { token: unsigned })).status).toBe(401);
    expect((await postGraphQL(subject.url, query, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })).status).toBe(401);
  });

  it('lets the gateway fetch _service and _entities without a token, and nothing else', async () => {
    const sdl = await postGraphQL<{ _service: { sdl: string } }>(subject.url, '{ _service { sdl } }');
    expect(sdl.status).toBe(200);
    expect(sdl.body.data?._service.sdl).toContain('type Integration');

    const entities = await postGraphQL(
      subject.url,
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Integration { id } } }',
      { variables: { representations: [{ __typename: 'Integration', id: randomUUID() }] }, token: 'not.a.jwt' },
    );
    // The transport lets it through (200, `_entities` executed); the entity resolvers decide what
    // an anonymous caller may see, per representation.
    expect(entities.status).toBe(200);
    expect(entities.body.data).toHaveProperty('_entities');

    const viaFragment = await postGraphQL(subject.url, 'query { ...F } fragment F on Query { _service { sdl } }');
    expect(viaFragment.status).toBe(200);

    const mixed = await postGraphQL(subject.url, '{ _service { sdl } providers { id } }');
    expect(mixed.status).toBe(401);
  });

  it('never writes a token into a log line', async () => {
    const valid = await subject.token();
    const forged = await sign({}, { secret: 'forged-secret-forged-secret-forged-secret' });
    await postGraphQL(subject.url, query, { token: valid });
    await postGraphQL(subject.url, query, { token: forged });
    const logs = subject.logs.join('\n');
    expect(logs).toContain('request completed');
    expect(logs).not.toContain(valid);
    expect(logs).not.toContain(forged);
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET query without a preflight-forcing header', async () => {
    const response = await fetch(`${subject.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `Bearer ${await subject.token()}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('refuses a simple (text/plain) POST', async () => {
    const response = await fetch(`${subject.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${await subject.token()}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(400);
  });

  it('accepts a GET query with apollo-require-preflight', async () => {
    const response = await fetch(`${subject.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `Bearer ${await subject.token()}`, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('operation limits', () => {
  /** Every limit answers 400 and BAD_USER_INPUT, its message naming the limit (it is no syntax error). */
  const expectRefused = async (query: string, pattern: RegExp) => {
    const { status, body } = await postGraphQL(subject.url, query, { token: await subject.token() });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    // A query may break a limit and other rules (a repeated directive, another limit) at once.
    const limit = body.errors?.find((error) => pattern.test(error.message));
    expect(limit?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(limit?.message).not.toMatch(/syntax/i);
  };
  const cycle = (inner: string) => `webhookEvents { edges { node { integration { ${inner} } } } }`;

  it('accepts the deepest legitimate read', async () => {
    const { status, body } = await postGraphQL(
      subject.url,
      '{ integrations { webhookEvents { edges { node { integration { provider { health { circuitState } } } } } } } }',
      { token: await subject.token() },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('refuses a query nested too deep', async () => {
    await expectRefused(`{ integrations { ${cycle(cycle(cycle('id')))} } }`, /depth/i);
  });

  it('refuses too many aliases', async () => {
    const fields = Array.from({ length: 20 }, (_, index) => `p${index}: providers { id }`).join(' ');
    await expectRefused(`{ ${fields} }`, /alias/i);
  });

  it('counts aliases of __typename too, with or without a token', async () => {
    const typenames = Array.from({ length: 300 }, (_, index) => `t${index}: __typename`).join(' ');
    await expectRefused(`{ ${typenames} }`, /^Aliases limit of 15 exceeded, found 300\.$/);
    const { status, body } = await postGraphQL(subject.url, `{ ${typenames} }`);
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ message: 'Aliases limit of 15 exceeded, found 300.', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('refuses too many tokens', async () => {
    await expectRefused(`{ providers { ${'id '.repeat(1200)} } }`, /token/i);
  });

  it('refuses too many directives', async () => {
    await expectRefused(`{ __typename ${'@include(if: true) '.repeat(60)} }`, /directive/i);
  });

  it('refuses a query that costs too much', async () => {
    const fragment = 'fragment Heavy on Integration { id providerId providerName status scopes metadata connectedAt lastSyncAt tokenExpiresAt errorMessage needsReauthorization }';
    const spread = Array.from({ length: 10 }, () => '...Heavy').join(' ');
    const query = `{ integrations { ${cycle(cycle(spread))} } } ${fragment}`;
    await expectRefused(query, /cost/i);
  });

  it('hides field suggestions', async () => {
    const { body } = await postGraphQL(subject.url, '{ integrationz { id } }', { token: await subject.token() });
    expect(body.errors?.[0]?.message).toContain('integrationz');
    expect(body.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it('refuses batched requests', async () => {
    const response = await fetch(`${subject.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await subject.token()}` },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
  });
});

describe('/metrics', () => {
  it('exposes request, operation, pool and process metrics in Prometheus text', async () => {
    await postGraphQL(subject.url, '{ providers { id } }', { token: await subject.token() });
    const response = await fetch(`${subject.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/graphql",status="200"\}/);
    expect(text).toMatch(/graphql_operations_total\{operation_type="query",root_field="providers",outcome="success"\} \d+/);
    expect(text).toContain('graphql_operation_duration_seconds_bucket');
    expect(text).toMatch(/db_pool_connections_total \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('graphql-ws on the same port and path', () => {
  const subscribe = (connectionParams: Record<string, unknown>, query: string) => {
    let closeCode: number | undefined;
    const client = createClient({
      url: `${subject.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      on: { closed: (event) => void (closeCode = (event as { code: number }).code) },
    });
    const result = new Promise<{ errors?: unknown; closeCode?: number; data?: unknown }>((resolve) => {
      client.subscribe(
        { query },
        {
          next: (value) => resolve(value as { data?: unknown }),
          error: (error) => resolve(Array.isArray(error) ? { errors: error } : { closeCode: closeCode ?? (error as { code?: number }).code }),
          complete: () => resolve({}),
        },
      );
    });
    return { client, result };
  };

  it('closes the socket with 4403 without a token or with a bad one', async () => {
    for (const params of [{}, { authorization: `Bearer ${await sign({}, { secret: 'x'.repeat(40) })}` }]) {
      const { client, result } = subscribe(params, 'subscription { integrationStatusChanged { id } }');
      expect((await result).closeCode).toBe(4403);
      await client.dispose();
    }
  });

  it('closes the socket with 4403 when its token expires, subscriptions and all', async () => {
    // Expired a moment ago but inside the 5 s clock tolerance: accepted now, refused in about 2 s.
    const token = await sign({ org: DEMO_ORGANIZATION_ID }, { expiresAt: Math.floor(Date.now() / 1000) - 3 });
    const events: string[] = [];
    const client = createClient({
      url: `${subject.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      on: { connected: () => void events.push('connected'), closed: (event) => void events.push(`closed ${(event as { code: number }).code}`) },
    });
    const ended = new Promise<void>((resolve) => {
      client.subscribe({ query: 'subscription { integrationStatusChanged { id } }' }, { next: () => undefined, error: () => resolve(), complete: () => resolve() });
    });
    await ended;
    // Acknowledged first (so the token was accepted), then closed by its expiry.
    expect(events).toEqual(['connected', 'closed 4403']);
    await client.dispose();
  });

  it('runs a query with a valid token in connection_init', async () => {
    const { client, result } = subscribe({ authorization: `Bearer ${await subject.token()}` }, '{ providers { id } }');
    expect(await result).toEqual({ data: { providers: [...subject.app.config.providerRegistry.keys()].map((id) => ({ id })) } });
    await client.dispose();
  });

  it('applies the operation limits to subscriptions', async () => {
    const { client, result } = subscribe(
      { authorization: `Bearer ${await subject.token()}` },
      `subscription { webhookEventUpdated { ${'integration { webhookEvents { edges { node { '.repeat(3)} id ${'} } } } '.repeat(3)} } }`,
    );
    const { errors } = await result;
    expect((errors as { message: string; extensions?: { code?: string } }[])[0]).toMatchObject({
      message: expect.stringMatching(/^Query depth limit of 10 exceeded/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    await client.dispose();
  });

  it('refuses too many tokens and aliases of __typename over the socket with the same code and words as over HTTP', async () => {
    for (const [query, message] of [
      [`{ providers { ${'id '.repeat(1200)} } }`, 'Token limit of 1000 exceeded.'],
      [`{ ${Array.from({ length: 20 }, (_, index) => `t${index}: __typename`).join(' ')} }`, 'Aliases limit of 15 exceeded, found 20.'],
    ] as const) {
      const { client, result } = subscribe({ authorization: `Bearer ${await subject.token()}` }, query);
      const { errors } = await result;
      expect((errors as unknown[])[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
      await client.dispose();
    }
  });
});

describe('the development token', () => {
  it('is not served when auth is configured', async () => {
    expect((await fetch(`${subject.url}/auth/dev-token`)).status).toBe(404);
  });

  it('is accepted and names the demo organization with the admin role', async () => {
    const { body } = await postGraphQL(subject.url, '{ integrations { id } }', { token: await subject.token() });
    expect(body.errors).toBeUndefined();
    expect(DEMO_ORGANIZATION_ID).toMatch(/^[0-9a-f-]{36}$/);
    expect(await subject.app.authenticator.authenticate(`Bearer ${await subject.token()}`)).toEqual({
      userId: 'demo-admin',
      organizationId: DEMO_ORGANIZATION_ID,
      roles: ['admin'],
      expiresAt: expect.any(Date),
    });
  });
});
