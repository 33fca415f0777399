import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { COMPANION_TYPE_DEFS } from './support/companion-subgraph.js';

describe('composition', () => {
  it('composes the committed subgraph SDL with a subgraph that owns Organization and User, without errors', async () => {
    const sdl = await readFile(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');
    const result = composeServices([
      { name: 'integrations', typeDefs: parse(sdl), url: 'http://integrations.invalid/graphql' },
      { name: 'organizations', typeDefs: COMPANION_TYPE_DEFS, url: 'http://organizations.invalid/graphql' },
    ]);
    expect(result.errors?.map((error) => error.message) ?? []).toEqual([]);
    const supergraph = result.supergraphSdl ?? '';
    // Organization is one entity served by both; its integrations come from this subgraph.
    expect(supergraph).toMatch(/type Organization\s+@join__type\(graph: INTEGRATIONS, key: "id"\)\s+@join__type\(graph: ORGANIZATIONS, key: "id"\)/);
    expect(supergraph).toMatch(/integrations: \[Integration!\]! @join__field\(graph: INTEGRATIONS\)/);
    expect(supergraph).toContain('type Subscription');
  });
});
