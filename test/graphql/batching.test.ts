import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { newOrganizationId } from '../support/database.js';
import { startGraphQLTestServer, type GraphQLTestServer } from './support/graphql-test-server.js';
import { seedIntegrations, type SeededIntegration } from './support/seed.js';

/**
 * The SQL statement count of a request must not grow with the number of rows or of `_entities`
 * representations: every relation goes through a per-request DataLoader. Statements are
 * counted with createDatabase's `onQuery` (BEGIN, the RLS setting and COMMIT included).
 */
let server: GraphQLTestServer;
let statements = 0;
let onStatement: (sql: string) => void = () => undefined;
const org = newOrganizationId();
const otherOrg = newOrganizationId();
let token: string;
let seeded: SeededIntegration[];
let foreign: SeededIntegration[];

beforeAll(async () => {
  server = await startGraphQLTestServer({
    onQuery: (sql) => {
      statements++;
      onStatement(sql);
    },
  });
  token = await server.token(org);
  // Integrations are unique per (organization, provider): spread 24 over many organizations'
  // worth of providers by using fresh provider ids beyond the registry, mapped as unconfigured.
  seeded = await seedIntegrations(
    server.database,
    org,
    Array.from({ length: 24 }, (_, index) => ({ providerId: [...BUILT_IN_PROVIDERS.keys()][index] ?? `custom-${index}`, events: 3 })),
  );
  foreign = await seedIntegrations(server.database, otherOrg, [{ providerId: 'google', events: 2 }]);
});

afterAll(async () => {
  await server?.close();
});

async function countStatements(source: string, variables?: Record<string, unknown>) {
  statements = 0;
  const result = await server.query<Record<string, unknown>>(source, { token, variables });
  return { result, statements };
}

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Integration { id provider { id name } webhookEvents(first: 2) { totalCount edges { node { id integration { id } } } } }
    ... on WebhookEvent { id integration { id providerId } }
    ... on Organization { id integrations { id webhookEvents(first: 1) { totalCount } } }
  }
}`;

const representations = (count: number) => [
  ...seeded.slice(0, count).map((i) => ({ __typename: 'Integration', id: i.id })),
  ...seeded.slice(0, count).flatMap((i) => i.eventIds.map((id) => ({ __typename: 'WebhookEvent', id }))),
  { __typename: 'Organization', id: org },
];

describe('_entities', () => {
  it('resolves every representation in order, with nulls for unknown and foreign ids', async () => {
    const reps = [
      { __typename: 'Integration', id: seeded[0]!.id },
      { __typename: 'Integration', id: foreign[0]!.id },
      { __typename: 'WebhookEvent', id: foreign[0]!.eventIds[0] },
      { __typename: 'Integration', id: randomUUID() },
      { __typename: 'WebhookEvent', id: seeded[1]!.eventIds[0] },
      { __typename: 'Organization', id: otherOrg },
    ];
    const { result } = await countStatements(ENTITIES, { representations: reps });
    expect(result.errors).toBeUndefined();
    const entities = (result.data as { _entities: ({ id: string; integrations?: unknown[]; integration?: { id: string } } | null)[] })._entities;
    expect(entities.map((e) => e?.id ?? null)).toEqual([seeded[0]!.id, null, null, null, seeded[1]!.eventIds[0], otherOrg]);
    expect(entities[4]!.integration!.id).toBe(seeded[1]!.id);
    // Another organization is not an error, it simply has nothing visible here.
    expect(entities[5]!.integrations).toEqual([]);
  });

  it('without a principal, refuses instead of resolving', async () => {
    const result = await server.query(ENTITIES, { variables: { representations: [{ __typename: 'Integration', id: seeded[0]!.id }] } });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('costs the same number of SQL statements for 1, 8 and 24 integrations (with their events)', async () => {
    const counts: number[] = [];
    for (const n of [1, 8, 24]) {
      const { result, statements: count } = await countStatements(ENTITIES, { representations: representations(n) });
      expect(result.errors).toBeUndefined();
      const entities = (result.data as { _entities: unknown[] })._entities;
      expect(entities).toHaveLength(n * 4 + 1);
      expect(entities.every((entity) => entity !== null)).toBe(true);
      counts.push(count);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(new Set(counts).size).toBe(1);
  });
});

describe('integrations with nested relations', () => {
  it('costs the same number of SQL statements whatever the number of integrations and events listed', async () => {
    const source = `query ($status: IntegrationStatus) { integrations(status: $status) { id provider { id name health { circuitState } }
      webhookEvents(first: 5) { totalCount edges { cursor node { id integration { id } } } } } }`;
    const small = await countStatements('query ($id: ID!) { integration(id: $id) { id provider { id } webhookEvents(first: 5) { totalCount edges { node { id integration { id } } } } } }', {
      id: seeded[0]!.id,
    });
    const large = await countStatements(source);
    expect((large.result.data as { integrations: unknown[] }).integrations).toHaveLength(24);
    expect(large.result.errors).toBeUndefined();
    expect(small.result.errors).toBeUndefined();
    // One read for the list (or the lookup) plus one batch of pages, in the query's one transaction.
    expect(large.statements).toBe(small.statements);
  });

  it('runs every read of a query in one transaction: BEGIN, the RLS setting, two reads, COMMIT', async () => {
    const seen: string[] = [];
    const count = (pattern: RegExp) => seen.filter((sql) => pattern.test(sql)).length;
    const source = `{ integrations { id provider { id } webhookEvents(first: 5) { totalCount edges { cursor node { id } } } } }`;
    const record = onStatement;
    onStatement = (sql) => seen.push(sql);
    try {
      const { result, statements: total } = await countStatements(source);
      expect(result.errors).toBeUndefined();
      expect(total).toBe(5);
    } finally {
      onStatement = record;
    }
    expect([count(/^begin/i), count(/^select set_config/i), count(/^commit/i)]).toEqual([1, 1, 1]);
  });
});
