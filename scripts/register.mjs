// Runs TypeScript sources directly on Node 24 (ESM) with SWC, keeping legacy decorators and their
// design-time metadata, which type-graphql and MikroORM read; the options are .swcrc's.
//
// Synchronous hooks on the main thread (module.registerHooks), where @swc-node/register ran
// asynchronous ones on a loader thread: that thread was a second V8 isolate holding the TypeScript
// compiler (loaded to read tsconfig.json), about 85 MiB of resident memory for every process
// and a second of start-up (npm run bench:startup).
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

const { $schema, ...swcrc } = JSON.parse(readFileSync(new URL('../.swcrc', import.meta.url), 'utf8'));
const options = { ...swcrc, swcrc: false, sourceMaps: false };

if (typeof nodeModule.registerHooks !== 'function') {
  throw new Error(`scripts/register.mjs needs Node.js 24 (this is ${process.version}): run it through npm scripts, or node_modules/.bin/node`);
}

nodeModule.registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      // Sources import each other by the names TypeScript emits (NodeNext): ./x.js is ./x.ts.
      if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/')) return nextLoad(url, context);
    const filename = fileURLToPath(url);
    const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
    return { format: 'module', source: code, shortCircuit: true };
  },
});
