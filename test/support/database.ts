import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database, type DatabaseOptions } from '../../src/db/database.js';
import { TEST_PG_ADMIN_URL, testDatabaseUrl } from './services.js';

export interface TestDatabase {
  database: Database;
  /** Connection string of this test file's own database (superuser: bypasses RLS). */
  url: string;
  close(): Promise<void>;
}

/**
 * A migrated database of this test file's own, cloned from the run's template (fast), dropped
 * by the global teardown. Options are passed to `createDatabase` (e.g. `onQuery`).
 */
export async function createTestDatabase(options: Omit<DatabaseOptions, 'databaseUrl'> = {}): Promise<TestDatabase> {
  const name = await cloneTemplateDatabase();
  const url = testDatabaseUrl(name);
  const database = await createDatabase({ ...options, databaseUrl: url });
  return { database, url, close: () => database.close() };
}

/** Creates an empty-of-rows, migrated database and returns its name (for child processes). */
export async function cloneTemplateDatabase(): Promise<string> {
  const runId = process.env.TEST_RUN_ID;
  const template = process.env.TEST_TEMPLATE_DATABASE;
  if (!runId || !template) throw new Error('test/support/global-setup.ts did not run (TEST_RUN_ID is unset)');
  const name = `${runId}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return name;
}

/** A fresh organization id per test, so assertions never see another test's rows. */
export const newOrganizationId = (): string => randomUUID();
