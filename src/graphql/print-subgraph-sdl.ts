import { graphql } from 'graphql';
import { buildGraphQLSchema } from './schema.js';

const HEADER = '# Generated from the running schema by `npm run print-schema`. Do not edit: change the type-graphql classes.\n\n';

/**
 * The committed schema artefact: exactly what `_service { sdl }` answers, i.e. what a gateway
 * or `rover subgraph introspect` composes, not a re-print that could differ from it.
 */
export async function printSubgraphSdl(): Promise<string> {
  const result = await graphql({ schema: await buildGraphQLSchema(), source: '{ _service { sdl } }' });
  const sdl = (result.data?._service as { sdl?: string } | undefined)?.sdl;
  if (!sdl) throw new Error(`_service { sdl } failed: ${JSON.stringify(result.errors)}`);
  return `${HEADER}${sdl.trimEnd()}\n`;
}
