import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/**
 * Stands in for the subgraph that owns organizations and users in a real supergraph, so
 * composition and gateway tests cross a genuine subgraph boundary.
 */
export const COMPANION_TYPE_DEFS = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Organization @key(fields: "id") {
    id: ID!
    name: String!
    members: [User!]!
  }

  type User @key(fields: "id") {
    id: ID!
    name: String!
    organization: Organization!
  }

  type Query {
    organization(id: ID!): Organization
    user(id: ID!): User
  }
`);

export interface CompanionData {
  organizations: { id: string; name: string }[];
  users: { id: string; name: string; organizationId: string }[];
}

export function companionSchema(data: CompanionData) {
  const organization = (id: string) => data.organizations.find((o) => o.id === id) ?? null;
  const user = (id: string) => data.users.find((u) => u.id === id) ?? null;
  return buildSubgraphSchema([
    {
      typeDefs: COMPANION_TYPE_DEFS,
      resolvers: {
        Query: {
          organization: (_: unknown, args: { id: string }) => organization(args.id),
          user: (_: unknown, args: { id: string }) => user(args.id),
        },
        Organization: {
          __resolveReference: (reference: { id: string }) => organization(reference.id),
          members: (org: { id: string }) => data.users.filter((u) => u.organizationId === org.id),
        },
        User: {
          __resolveReference: (reference: { id: string }) => user(reference.id),
          organization: (u: { organizationId: string }) => organization(u.organizationId),
        },
      } as never,
    },
  ]);
}

export async function startCompanionSubgraph(data: CompanionData): Promise<{ url: string; close(): Promise<void> }> {
  const server = new ApolloServer({ schema: companionSchema(data), plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}
