// Composes the supergraph schema Apollo Router serves from the committed subgraph SDL
// (schema/subgraph.graphql), with @apollo/composition: the same composition rover performs.
// Prints it to stdout; composition errors go to stderr with a failing exit.
// Usage: node --import ./scripts/register.mjs deploy/compose-supergraph.ts > supergraph.graphql
import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

const routingUrl = process.argv[2] ?? 'http://integrations:4001/graphql';
const sdl = await readFile(new URL('../schema/subgraph.graphql', import.meta.url), 'utf8');
const result = composeServices([{ name: 'integrations', url: routingUrl, typeDefs: parse(sdl) }]);
if (result.errors) {
  for (const error of result.errors) process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
