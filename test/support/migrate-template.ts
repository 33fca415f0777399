// Run by global-setup in a child process: jest loads globalSetup as CommonJS, and MikroORM 7 is ESM-only.
import { createDatabase } from '../../src/db/database.js';

const url = process.argv[2];
if (!url) throw new Error('usage: migrate-template.ts <database url>');
const database = await createDatabase({ databaseUrl: url });
await database.close();
