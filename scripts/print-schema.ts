// Prints the subgraph SDL (what `_service { sdl }` answers) to schema/subgraph.graphql.
// `npm run print-schema`; test/graphql/schema-artefact.test.ts fails when the file drifts.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSubgraphSdl } from '../src/graphql/print-subgraph-sdl.js';

const target = fileURLToPath(new URL('../schema/subgraph.graphql', import.meta.url));
await writeFile(target, await printSubgraphSdl());
console.log(`wrote ${target}`);
