import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLObjectType, parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, getMetadataStorage } from 'type-graphql';
import { entityReferenceResolvers, resolvers } from './resolvers/index.js';
import { CompleteConnectionInput } from './types/complete-connection-input.js';
import { ConnectionAuthorization } from './types/connection-authorization.js';
import { IntegrationHealth } from './types/integration-health.js';
import { Organization } from './types/organization.js';
import { StartConnectionInput } from './types/start-connection-input.js';
import { SubscribeToResourceInput } from './types/subscribe-to-resource-input.js';

const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

const TOPIC_PUBSUB_UNUSED = {
  publish: () => {
    throw new Error('publish through GraphQLServices.pubsub');
  },
  subscribe: () => {
    throw new Error('subscriptions declare their own subscribe');
  },
};

/**
 * The federated subgraph schema. type-graphql builds a plain schema from the classes; its SDL
 * (with the `@key` directives the classes declare) and its resolvers are then handed to
 * `buildSubgraphSchema`, which adds `_service`, `_entities` and the federation directives.
 */
export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    // Types no Query field returns: Organization is only reached through `_entities`, and the
    // contract's mutation payloads and inputs must exist whichever mutations are registered.
    orphanedTypes: [Organization, ConnectionAuthorization, IntegrationHealth, StartConnectionInput, CompleteConnectionInput, SubscribeToResourceInput],
    validate: false,
    // type-graphql insists on a PubSub whenever a subscription exists, even though every one
    // here brings its own `subscribe` (ctx.services.pubsub, partitioned by organization).
    pubSub: TOPIC_PUBSUB_UNUSED,
  });
  const resolverMap = withoutPropertyResolvers(schema, createResolversMap(schema) as Record<string, Record<string, unknown>>);
  for (const [typeName, referenceResolver] of Object.entries(entityReferenceResolvers)) {
    resolverMap[typeName] = { ...resolverMap[typeName], ...referenceResolver };
  }
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`);
  return buildSubgraphSchema([{ typeDefs, resolvers: resolverMap as never }]);
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * type-graphql gives every field of an object type a resolver, even a plain property, where it
 * only reads `root[name]` through its middleware machinery. With no global middlewares and no
 * auth checker configured here, that is exactly graphql-js's default resolver, minus a closure
 * call and an array allocation per field and row: a list of 20 integrations with 5 events each
 * resolves about a thousand fields. Only root fields and `@FieldResolver` methods keep theirs.
 */
function withoutPropertyResolvers(
  schema: GraphQLSchema,
  resolverMap: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const storage = getMetadataStorage();
  const typeNames = new Map<Function, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  const computed = new Set(
    storage.fieldResolvers.map((resolver) => `${typeNames.get(resolver.getObjectType?.() as Function)}.${resolver.schemaName}`),
  );
  for (const [typeName, fields] of Object.entries(resolverMap)) {
    const type = schema.getType(typeName);
    if (ROOT_TYPES.has(typeName) || !(type instanceof GraphQLObjectType)) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      if (!computed.has(`${typeName}.${fieldName}`)) delete fields[fieldName];
    }
  }
  return resolverMap;
}
