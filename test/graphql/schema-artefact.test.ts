import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { printSubgraphSdl } from '../../src/graphql/print-subgraph-sdl.js';

describe('schema/subgraph.graphql', () => {
  it('is what the running schema prints (run `npm run print-schema` after changing a type)', async () => {
    const committed = await readFile(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await printSubgraphSdl());
  });
});
