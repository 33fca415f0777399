import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/database.js';
import { migrations } from '../../migrations/index.js';
import { TEST_PG_ADMIN_URL, testDatabaseUrl } from '../support/services.js';

async function createEmptyDatabase(): Promise<string> {
  const name = `${process.env.TEST_RUN_ID}_empty_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return testDatabaseUrl(name);
}

describe('migrations', () => {
  const opened: Database[] = [];
  afterAll(async () => {
    for (const database of opened) await database.close();
  });

  it('run up from an empty database with a log line per migration, then find nothing to do', async () => {
    const url = await createEmptyDatabase();
    const lines: { migration?: unknown }[] = [];
    const logger = { info: (object: Record<string, unknown>) => lines.push(object), warn: () => undefined };
    const database = await createDatabase({ databaseUrl: url, logger });
    opened.push(database);
    expect(lines.map((line) => line.migration).filter(Boolean)).toEqual(migrations.map((migration) => new migration({} as never, {} as never).name));
    const tables = await database.orm.em
      .fork()
      .execute<{ tablename: string }[]>(`select tablename from pg_tables where schemaname = 'public' order by tablename`);
    expect(tables.map((table) => table.tablename)).toEqual(expect.arrayContaining(['integrations', 'oauth_states', 'webhook_events']));
    expect(await database.migrate()).toEqual([]);
  });
});

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  let dataDir: string;
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts PGlite, runs the same migrations, enforces RLS, supports SKIP LOCKED and row-version triggers, and keeps data across restarts', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'integrations-pglite-'));
    database = await createDatabase({ dataDir });
    expect(database.embedded).toBe(true);
    const orgA = '0b0e7b8e-52a4-4a47-9a3f-3c4b2e1d0a01';
    const orgB = '0b0e7b8e-52a4-4a47-9a3f-3c4b2e1d0a02';
    await database.asSystem((em) =>
      em.execute(`insert into integrations (organization_id, provider_id, provider_name) values (?, 'slack', 'Slack'), (?, 'slack', 'Slack')`, [orgA, orgB]),
    );
    const visible = await database.withOrganization(orgA, (em) => em.execute<{ organization_id: string }[]>('select organization_id from integrations'));
    expect(visible.map((row) => row.organization_id)).toEqual([orgA]);
    // The proxy's one-message read (BEGIN, settings, statement, COMMIT) works on PGlite too.
    const readOnce = await database.readInOrganization<{ organization_id: string }>(orgB, 'select organization_id from integrations');
    expect(readOnce.map((row) => row.organization_id)).toEqual([orgB]);
    const locked = await database.withOrganization(orgA, (em) => em.execute('select id from integrations for update skip locked'));
    expect(locked).toHaveLength(1);
    // Row versions come from a PL/pgSQL trigger: one more on every update.
    const versions = await database.withOrganization(orgA, (em) => em.execute<{ version: number }[]>(`update integrations set status = 'error' returning version`));
    expect(versions).toEqual([{ version: 2 }]);
    await database.close();

    database = await createDatabase({ dataDir });
    const again = await database.asSystem((em) => em.execute<{ n: string }[]>('select count(*) as n from integrations'));
    expect(Number(again[0]?.n)).toBe(2);
    expect(await database.migrate()).toEqual([]);
    // Two PGlite start-ups (WASM compile, initdb, every migration): ~10 s on a quiet machine,
    // several times that on a loaded one; this is a correctness test, not a timing one.
  }, 120_000);
});
