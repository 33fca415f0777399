import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { printSubgraphSdl } from '../../../src/graphql/print-subgraph-sdl.js';
import { COMPANION_TYPE_DEFS } from './companion-subgraph.js';

/** A static supergraph of this subgraph (at `integrationsUrl`) and the companion (at `organizationsUrl`). */
export async function composeSupergraph(integrationsUrl: string, organizationsUrl: string): Promise<string> {
  const result = composeServices([
    { name: 'integrations', typeDefs: parse(await printSubgraphSdl()), url: integrationsUrl },
    { name: 'organizations', typeDefs: COMPANION_TYPE_DEFS, url: organizationsUrl },
  ]);
  if (result.errors || !result.supergraphSdl) throw new Error(`composition failed: ${result.errors?.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}
