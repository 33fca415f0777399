import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway';
import type { IntegrationSnapshot } from '../../src/pubsub/topics.js';
import { newOrganizationId } from '../support/database.js';
import { startCompanionSubgraph } from './support/companion-subgraph.js';
import { startGraphQLTestServer, type GraphQLTestServer } from './support/graphql-test-server.js';
import { seedIntegrations, type SeededIntegration } from './support/seed.js';
import { composeSupergraph } from './support/supergraph.js';

/**
 * End to end through real gateways: a query that starts in the companion subgraph (which owns
 * Organization and User) and continues into this one through `_entities`, on Apollo Gateway
 * with a static supergraph and on Hive Gateway; and a subscription through Hive Gateway,
 * forwarded to this subgraph over graphql-ws with the caller's credentials.
 */
let subgraph: GraphQLTestServer;
let companion: { url: string; close(): Promise<void> };
let apollo: ApolloServer<{ authorization?: string }>;
let apolloUrl: string;
let hive: GatewayRuntime;
let hiveServer: Server;
let hiveUrl: string;
const orgA = newOrganizationId();
const orgB = newOrganizationId();
let token: string;
let seeded: SeededIntegration[];

const CROSSING_QUERY = `query ($user: ID!) {
  user(id: $user) {
    name
    organization {
      name
      integrations { id providerId status provider { name configured } webhookEvents(first: 2) { totalCount edges { node { id integration { id } } } } }
    }
  }
}`;

beforeAll(async () => {
  subgraph = await startGraphQLTestServer();
  companion = await startCompanionSubgraph({
    organizations: [
      { id: orgA, name: 'Acme' },
      { id: orgB, name: 'Globex' },
    ],
    users: [
      { id: 'user-a', name: 'Ada', organizationId: orgA },
      { id: 'user-b', name: 'Bob', organizationId: orgB },
    ],
  });
  seeded = await seedIntegrations(subgraph.database, orgA, [{ providerId: 'google', events: 3 }, { providerId: 'slack', events: 1 }]);
  await seedIntegrations(subgraph.database, orgB, [{ providerId: 'asana', events: 1 }]);
  token = await subgraph.token(orgA, { userId: 'user-a' });
  const supergraphSdl = await composeSupergraph(subgraph.url, companion.url);

  apollo = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          },
        }),
    }),
  });
  ({ url: apolloUrl } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  }));

  hive = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
    transportEntries: {
      integrations: {
        options: {
          subscriptions: {
            kind: 'ws',
            location: '/graphql',
            options: { connectionParams: { authorization: '{context.headers.authorization}' } },
          },
        },
      },
    },
  });
  hiveServer = createServer(hive);
  await new Promise<void>((resolve) => hiveServer.listen(0, '127.0.0.1', resolve));
  hiveUrl = `http://127.0.0.1:${(hiveServer.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  hiveServer?.closeAllConnections();
  await new Promise((resolve) => hiveServer?.close(resolve));
  await hive?.dispose();
  await apollo?.stop();
  await companion?.close();
  await subgraph?.close();
});

async function post(url: string, query: string, variables: Record<string, unknown>, bearer?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe.each([
  ['Apollo Gateway', () => apolloUrl],
  ['Hive Gateway', () => hiveUrl],
])('%s', (_name, url) => {
  it('answers a query that crosses from the companion subgraph into this one', async () => {
    const result = await post(url(), CROSSING_QUERY, { user: 'user-a' }, token);
    expect(result.errors).toBeUndefined();
    const user = result.data!.user;
    expect(user.name).toBe('Ada');
    expect(user.organization.name).toBe('Acme');
    const integrations = user.organization.integrations as { id: string; providerId: string; provider: { name: string; configured: boolean }; webhookEvents: { totalCount: number; edges: { node: { integration: { id: string } } }[] } }[];
    expect(integrations.map((i) => i.id).sort()).toEqual(seeded.map((i) => i.id).sort());
    const google = integrations.find((i) => i.providerId === 'google')!;
    expect(google.provider).toEqual({ name: 'Google Workspace', configured: true });
    expect(google.webhookEvents.totalCount).toBe(3);
    expect(google.webhookEvents.edges).toHaveLength(2);
    expect(google.webhookEvents.edges.every((edge) => edge.node.integration.id === google.id)).toBe(true);
  });

  it("shows no integrations of an organization other than the caller's", async () => {
    const result = await post(url(), CROSSING_QUERY, { user: 'user-b' }, token);
    expect(result.errors).toBeUndefined();
    expect(result.data!.user.organization).toEqual({ name: 'Globex', integrations: [] });
  });

  it('refuses this subgraph’s part without credentials', async () => {
    const result = await post(url(), CROSSING_QUERY, { user: 'user-a' });
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.data?.user?.organization?.integrations ?? null).toBeNull();
  });
});

describe('Hive Gateway subscription', () => {
  it('forwards integrationStatusChanged over graphql-ws with the caller’s credentials', async () => {
    const controller = new AbortController();
    const response = await fetch(hiveUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { integrationStatusChanged { id status provider { id } webhookEvents(first: 1) { totalCount } } }' }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const snapshot = (organizationId: string, id: string): IntegrationSnapshot => ({
      id,
      organizationId,
      providerId: 'google',
      providerName: 'Google Workspace',
      status: 'disconnected',
      scopes: [],
      metadata: null,
      connectedAt: null,
      lastSyncAt: null,
      tokenExpiresAt: null,
      errorMessage: null,
      needsReauthorization: false,
      version: 1,
    });
    // The subgraph's Redis SUBSCRIBE happens at a moment the client cannot observe: publish
    // until an event arrives (another organization's each time first, which must never show).
    let buffer = '';
    let event: { data?: { integrationStatusChanged?: unknown }; errors?: unknown } | undefined;
    const publisher = setInterval(() => {
      void subgraph.pubsub.publish('integrationStatusChanged', snapshot(orgB, randomUUID()));
      void subgraph.pubsub.publish('integrationStatusChanged', snapshot(orgA, seeded[0]!.id));
    }, 50);
    try {
      while (!event) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${buffer}`);
        buffer += decoder.decode(value, { stream: true });
        const match = /^data: (.+)$/m.exec(buffer);
        if (match) event = JSON.parse(match[1]!);
      }
    } finally {
      clearInterval(publisher);
      controller.abort();
    }
    expect(event.errors).toBeUndefined();
    expect(event.data!.integrationStatusChanged).toEqual({ id: seeded[0]!.id, status: 'DISCONNECTED', provider: { id: 'google' }, webhookEvents: { totalCount: 3 } });
  });
});
