import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse, type GraphQLSchema } from 'graphql';
import { isCacheableOperation } from '../../src/graphql/cacheable-operation.js';
import { buildGraphQLSchema } from '../../src/graphql/schema.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGraphQLSchema();
});

const verdict = (source: string, operationName?: string) => isCacheableOperation(schema, parse(source), operationName);

describe('isCacheableOperation', () => {
  it('accepts queries over rows', () => {
    expect(verdict('{ integrations { id status provider { id name configured } webhookEvents(first: 5) { totalCount edges { node { id status } } } } }')).toBe(true);
    expect(verdict('{ webhookQueueStats { pending processing completed failed } }')).toBe(true);
  });

  it('refuses mutations and subscriptions', () => {
    expect(verdict('mutation { retryWebhookEvent(id: "x") { id } }')).toBe(false);
    expect(verdict('subscription { webhookEventUpdated { id } }')).toBe(false);
  });

  it('refuses a query selecting a volatile field, directly, in a fragment or in an inline fragment', () => {
    expect(verdict('{ providers { id health { circuitState } } }')).toBe(false);
    expect(verdict('{ integrations { provider { ...P } } } fragment P on Provider { health { consecutiveFailures } }')).toBe(false);
    expect(verdict('{ integrations { provider { ... on Provider { health { lastError } } } } }')).toBe(false);
    expect(verdict('{ webhookQueueStats { pending oldestPendingAgeSeconds } }')).toBe(false);
  });

  it('judges the operation the request names', () => {
    const document = 'query Rows { integrations { id } } query Health { providers { health { circuitState } } } mutation M { retryWebhookEvent(id: "x") { id } }';
    expect(verdict(document, 'Rows')).toBe(true);
    expect(verdict(document, 'Health')).toBe(false);
    expect(verdict(document, 'M')).toBe(false);
  });

  it('keeps its verdict per document and operation', () => {
    const document = parse('query A { integrations { id } } query B { providers { health { circuitState } } }');
    expect(isCacheableOperation(schema, document, 'A')).toBe(true);
    expect(isCacheableOperation(schema, document, 'B')).toBe(false);
    expect(isCacheableOperation(schema, document, 'A')).toBe(true);
  });
});
