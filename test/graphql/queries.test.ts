import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GraphQLObjectType } from 'graphql';
import { buildGraphQLSchema } from '../../src/graphql/schema.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { CircuitBreakerPresets } from '../../src/resilience/circuit-breaker.js';
import { providerBreakers, resetProviderBreakers } from '../../src/resilience/provider-breakers.js';
import { newOrganizationId } from '../support/database.js';
import { startGraphQLTestServer, type GraphQLTestServer } from './support/graphql-test-server.js';
import { seedIntegrations, type SeededIntegration } from './support/seed.js';

let server: GraphQLTestServer;
const orgA = newOrganizationId();
const orgB = newOrganizationId();
let tokenA: string;
let tokenB: string;
let a: SeededIntegration[];
let b: SeededIntegration[];

beforeAll(async () => {
  server = await startGraphQLTestServer();
  tokenA = await server.token(orgA);
  tokenB = await server.token(orgB);
  a = await seedIntegrations(server.database, orgA, [
    { providerId: 'google', events: 7, eventStatus: (i) => (i % 2 === 0 ? 'completed' : 'pending') },
    { providerId: 'slack', status: 'error', events: 2, eventStatus: () => 'failed' },
    { providerId: 'asana', status: 'disconnected' },
  ]);
  b = await seedIntegrations(server.database, orgB, [{ providerId: 'google', events: 3 }]);
});

afterAll(async () => {
  await server?.close();
});

const INTEGRATION_FIELDS = `id organizationId providerId providerName status scopes metadata connectedAt lastSyncAt
  tokenExpiresAt errorMessage needsReauthorization provider { id name configured }`;

describe('authentication', () => {
  it.each(['{ providers { id } }', '{ integrations { id } }', '{ webhookQueueStats { pending } }', '{ webhookEvents { totalCount } }'])(
    '%s without a token is UNAUTHENTICATED',
    async (source) => {
      const result = await server.query(source);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    },
  );
});

describe('providers', () => {
  it('lists every registered provider with scopes, configured flag and health', async () => {
    const result = await server.query<{ providers: { id: string; name: string; configured: boolean; scopes: { name: string }[]; defaultScopes: string[]; health: { circuitState: string; consecutiveFailures: number } }[] }>(
      '{ providers { id name configured scopes { name description } defaultScopes health { circuitState consecutiveFailures lastFailureAt lastError } } }',
      { token: tokenA },
    );
    expect(result.errors).toBeUndefined();
    const providers = result.data!.providers;
    // The sandbox (on outside production) first, then the built-in entries in their order.
    expect(providers.map((p) => p.id)).toEqual(['sandbox', ...BUILT_IN_PROVIDERS.keys()]);
    expect(providers.slice(1, 5).map((p) => p.id)).toEqual(['google', 'slack', 'microsoft', 'asana']);
    expect(providers.find((p) => p.id === 'google')).toMatchObject({ configured: true, health: { circuitState: 'CLOSED', consecutiveFailures: 0 } });
    expect(providers.find((p) => p.id === 'slack')?.configured).toBe(false);
    for (const provider of providers) {
      // Providers whose scopes are set on the app (Notion, Intercom, ClickUp…) offer none here.
      const names = provider.scopes.map((scope) => scope.name);
      for (const scope of provider.defaultScopes) expect(names).toContain(scope);
    }
    expect(providers.find((p) => p.id === 'google')?.defaultScopes.length).toBeGreaterThan(0);
  });
});

describe('Provider.health', () => {
  afterAll(() => resetProviderBreakers());

  it("reports the process's circuit breaker of the provider", async () => {
    const breaker = providerBreakers.get('slack');
    for (let attempt = 0; attempt < CircuitBreakerPresets.standard.failureThreshold; attempt++) {
      await expect(breaker.execute(() => Promise.reject(new Error('slack answered 503')))).rejects.toThrow();
    }
    const result = await server.query<{ providers: { id: string; health: Record<string, unknown> }[] }>(
      '{ providers { id health { circuitState consecutiveFailures lastFailureAt lastError } } }',
      { token: tokenA },
    );
    const health = Object.fromEntries(result.data!.providers.map((p) => [p.id, p.health]));
    expect(health.slack).toMatchObject({
      circuitState: 'OPEN',
      consecutiveFailures: CircuitBreakerPresets.standard.failureThreshold,
      lastError: expect.stringContaining('503'),
    });
    expect(new Date(health.slack!.lastFailureAt as string).getTime()).not.toBeNaN();
    expect(health.google).toEqual({ circuitState: 'CLOSED', consecutiveFailures: 0, lastFailureAt: null, lastError: null });
  });
});

describe('integrations', () => {
  it("lists only the caller's organization, every contract field mapped", async () => {
    const result = await server.query<{ integrations: Record<string, unknown>[] }>(`{ integrations { ${INTEGRATION_FIELDS} } }`, { token: tokenA });
    expect(result.errors).toBeUndefined();
    const list = result.data!.integrations;
    expect(list.map((i) => i.id).sort()).toEqual(a.map((i) => i.id).sort());
    const slack = list.find((i) => i.providerId === 'slack')!;
    expect(slack).toMatchObject({
      organizationId: orgA,
      providerName: 'Slack',
      status: 'ERROR',
      scopes: ['openid', 'email'],
      metadata: { team: 'slack-team' },
      errorMessage: 'the provider refused the token',
      needsReauthorization: false,
      lastSyncAt: null,
      provider: { id: 'slack', name: 'Slack', configured: false },
    });
    expect(new Date(slack.connectedAt as string).getTime()).not.toBeNaN();
    expect(new Date(slack.tokenExpiresAt as string).getTime()).toBeGreaterThan(Date.now());
  });

  it('filters by status', async () => {
    const result = await server.query<{ integrations: { providerId: string }[] }>('{ integrations(status: DISCONNECTED) { providerId } }', { token: tokenA });
    expect(result.data!.integrations).toEqual([{ providerId: 'asana' }]);
  });

  it('never returns a token column, whatever is asked', async () => {
    const body = JSON.stringify(await server.query(`{ integrations { ${INTEGRATION_FIELDS} } }`, { token: tokenA }));
    expect(body).not.toContain('SEALED-');
    const result = await server.query('{ integrations { accessToken } }', { token: tokenA });
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Cannot query field "accessToken"/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(result.data).toBeUndefined();
    const integration = (await buildGraphQLSchema()).getType('Integration') as GraphQLObjectType;
    expect(Object.keys(integration.getFields()).filter((name) => /token(?!ExpiresAt)|secret|key/i.test(name))).toEqual([]);
  });

  it('integration(id) finds its own and gives null for another organization or an unknown id', async () => {
    const source = 'query ($id: ID!) { integration(id: $id) { id providerId } }';
    const own = await server.query<{ integration: { id: string } | null }>(source, { token: tokenA, variables: { id: a[0]!.id } });
    expect(own.data!.integration).toEqual({ id: a[0]!.id, providerId: 'google' });
    for (const id of [b[0]!.id, randomUUID(), 'not-a-uuid']) {
      const other = await server.query<{ integration: unknown }>(source, { token: tokenA, variables: { id } });
      expect(other.errors).toBeUndefined();
      expect(other.data!.integration).toBeNull();
    }
  });

  it('Integration.webhookEvents pages newest first, per integration', async () => {
    const result = await server.query<{ integrations: { providerId: string; webhookEvents: { totalCount: number; edges: { node: { id: string; integration: { id: string } } }[]; pageInfo: { hasNextPage: boolean } } }[] }>(
      '{ integrations { providerId webhookEvents(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id integration { id } } } } } }',
      { token: tokenA },
    );
    expect(result.errors).toBeUndefined();
    const google = result.data!.integrations.find((i) => i.providerId === 'google')!;
    expect(google.webhookEvents.totalCount).toBe(7);
    expect(google.webhookEvents.pageInfo.hasNextPage).toBe(true);
    expect(google.webhookEvents.edges.map((e) => e.node.id)).toEqual([...a[0]!.eventIds].reverse().slice(0, 3));
    expect(google.webhookEvents.edges.every((e) => e.node.integration.id === a[0]!.id)).toBe(true);
    const asana = result.data!.integrations.find((i) => i.providerId === 'asana')!;
    expect(asana.webhookEvents).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false } });
  });

  it('Integration.webhookEvents filters by status', async () => {
    const result = await server.query<{ integration: { webhookEvents: { totalCount: number; edges: { node: { status: string } }[] } } }>(
      'query ($id: ID!) { integration(id: $id) { webhookEvents(status: COMPLETED) { totalCount edges { node { status } } } } }',
      { token: tokenA, variables: { id: a[0]!.id } },
    );
    expect(result.data!.integration.webhookEvents.totalCount).toBe(4);
    expect(result.data!.integration.webhookEvents.edges.map((e) => e.node.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  });
});

describe('webhookEvents', () => {
  const PAGE = `query ($first: Int, $after: String, $integrationId: ID, $status: WebhookEventStatus) {
    webhookEvents(first: $first, after: $after, integrationId: $integrationId, status: $status) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id provider eventType payload status attempts errorMessage processedAt createdAt integration { id } } }
    } }`;
  type Page = { webhookEvents: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: { id: string; integration: { id: string } } }[] } };

  it('walks every event of the organization exactly once, newest first, with the default page size', async () => {
    const all = [...a[0]!.eventIds, ...a[1]!.eventIds];
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const result: Awaited<ReturnType<typeof server.query<Page>>> = await server.query<Page>(PAGE, { token: tokenA, variables: { first: 4, after } });
      expect(result.errors).toBeUndefined();
      const page: Page['webhookEvents'] = result.data!.webhookEvents;
      expect(page.totalCount).toBe(all.length);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual([...all].sort());
    const defaults = await server.query<Page>(PAGE, { token: tokenA });
    expect(defaults.data!.webhookEvents.edges).toHaveLength(all.length);
  });

  it('filters by integration and status, and maps every field', async () => {
    const result = await server.query<{ webhookEvents: { totalCount: number; edges: { node: Record<string, unknown> }[] } }>(PAGE, {
      token: tokenA,
      variables: { integrationId: a[1]!.id, status: 'FAILED' },
    });
    expect(result.data!.webhookEvents.totalCount).toBe(2);
    expect(result.data!.webhookEvents.edges[0]!.node).toMatchObject({
      provider: 'slack',
      eventType: 'message.created',
      payload: { index: 1 },
      status: 'FAILED',
      attempts: 0,
      errorMessage: null,
      processedAt: null,
      integration: { id: a[1]!.id },
    });
  });

  it('first: 0 gives the count and no edges; after the last cursor gives an empty page', async () => {
    const zero = await server.query<Page>(PAGE, { token: tokenA, variables: { first: 0, integrationId: a[0]!.id } });
    expect(zero.data!.webhookEvents).toMatchObject({ totalCount: 7, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    const full = await server.query<Page>(PAGE, { token: tokenA, variables: { first: 100, integrationId: a[0]!.id } });
    const last = full.data!.webhookEvents.edges.at(-1)!.cursor;
    expect(full.data!.webhookEvents.pageInfo).toEqual({ hasNextPage: false, endCursor: last });
    const beyond = await server.query<Page>(PAGE, { token: tokenA, variables: { first: 5, after: last, integrationId: a[0]!.id } });
    expect(beyond.data!.webhookEvents).toMatchObject({ totalCount: 7, edges: [], pageInfo: { hasNextPage: false } });
  });

  it.each([
    ['first above the maximum', { first: 101 }],
    ['a negative first', { first: -1 }],
    ['a cursor that is not one', { after: 'bm90LWEtY3Vyc29y' }],
  ])('refuses %s with BAD_USER_INPUT', async (_name, variables) => {
    const top = await server.query(PAGE, { token: tokenA, variables });
    expect(top.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const nested = await server.query('query ($first: Int, $after: String) { integrations { webhookEvents(first: $first, after: $after) { totalCount } } }', {
      token: tokenA,
      variables,
    });
    expect(nested.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("gives NOT_FOUND for another organization's integration id, never FORBIDDEN", async () => {
    const result = await server.query(PAGE, { token: tokenA, variables: { integrationId: b[0]!.id } });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(result.data).toBeNull();
  });

  it("never shows another organization's events", async () => {
    const result = await server.query<Page>(PAGE, { token: tokenB, variables: { first: 100 } });
    expect(result.data!.webhookEvents.edges.map((e) => e.node.id).sort()).toEqual([...b[0]!.eventIds].sort());
  });
});

describe('webhookQueueStats', () => {
  it("counts the caller's organization only", async () => {
    const result = await server.query<{ webhookQueueStats: Record<string, number> }>(
      '{ webhookQueueStats { pending processing completed failed oldestPendingAgeSeconds } }',
      { token: tokenA },
    );
    expect(result.data!.webhookQueueStats).toMatchObject({ pending: 3, processing: 0, completed: 4, failed: 2 });
    expect(result.data!.webhookQueueStats.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(1);
    const empty = await server.query<{ webhookQueueStats: Record<string, number> }>(
      '{ webhookQueueStats { pending completed failed oldestPendingAgeSeconds } }',
      { token: await server.token(newOrganizationId()) },
    );
    expect(empty.data!.webhookQueueStats).toEqual({ pending: 0, completed: 0, failed: 0, oldestPendingAgeSeconds: 0 });
  });
});

describe('responses', () => {
  it.each([
    ['a query', '{ integrations { id } }', true],
    ['a failing query', '{ integration(id: "not-a-uuid") { id webhookEvents(first: 1000) { totalCount } } }', true],
    ['an unauthenticated query', '{ integrations { id } }', false],
  ])('%s is answered with cache-control: no-store', async (_label, query, authenticated) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authenticated ? { authorization: `Bearer ${tokenA}` } : {}) },
      body: JSON.stringify({ query }),
    });
    await response.arrayBuffer();
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
