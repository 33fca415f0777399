// Runs TypeScript sources directly on Node 24 (ESM) with SWC, keeping legacy
// decorators and their design-time metadata, which type-graphql and MikroORM read.
import 'reflect-metadata';
import { register } from 'node:module';

register('@swc-node/register/esm', import.meta.url);
