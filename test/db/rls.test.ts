import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';

describe('row-level security', () => {
  let db: TestDatabase;
  const orgA = newOrganizationId();
  const orgB = newOrganizationId();

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.database.asSystem((em) =>
      em.execute(
        `insert into integrations (organization_id, provider_id, provider_name) values (?, 'slack', 'Slack'), (?, 'slack', 'Slack'), (?, 'google', 'Google Workspace')`,
        [orgA, orgB, orgB],
      ),
    );
  });
  afterAll(() => db.close());

  it('confines a query with no organization filter to the transaction organization', async () => {
    const rows = await db.database.withOrganization(orgA, (em) => em.execute<{ organization_id: string }[]>('select organization_id from integrations'));
    expect(rows.map((row) => row.organization_id)).toEqual([orgA]);
    const rowsB = await db.database.withOrganization(orgB, (em) => em.execute<{ organization_id: string }[]>('select organization_id from integrations'));
    expect(rowsB).toHaveLength(2);
  });

  it('refuses to write a row into another organization', async () => {
    await expect(
      db.database.withOrganization(orgA, (em) =>
        em.execute(`insert into integrations (organization_id, provider_id, provider_name) values (?, 'asana', 'Asana')`, [orgB]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('cannot update or delete another organization rows even without a filter', async () => {
    await db.database.withOrganization(orgA, (em) => em.execute(`update integrations set provider_name = 'changed'`));
    await db.database.withOrganization(orgA, (em) => em.execute(`delete from integrations where provider_id = 'google'`));
    const rows = await db.database.asSystem((em) =>
      em.execute<{ organization_id: string; provider_name: string }[]>('select organization_id, provider_name from integrations order by provider_id'),
    );
    expect(rows.filter((row) => row.organization_id === orgB).map((row) => row.provider_name).sort()).toEqual(['Google Workspace', 'Slack']);
  });

  it('applies to raw SQL under the application role on a plain connection too', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`set local role integrations_app`);
      const none = await client.query('select * from integrations');
      expect(none.rowCount).toBe(0); // no organization set: nothing visible
      await client.query(`select set_config('app.organization_id', $1, true)`, [orgB]);
      const visible = await client.query<{ organization_id: string }>('select organization_id from integrations');
      expect(new Set(visible.rows.map((row) => row.organization_id))).toEqual(new Set([orgB]));
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it('rejects a malformed organization id before it reaches SQL', async () => {
    await expect(db.database.withOrganization('not-a-uuid', async () => 1)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(db.database.beginOrganizationReads("x'; select 1; --")).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('confines a read transaction (settings sent with its first statement) to its organization', async () => {
    const reads = await db.database.beginOrganizationReads(orgA);
    try {
      const [who] = await reads.sql.execute<{ role: string; organization: string }[]>(
        `select current_user as role, current_setting('app.organization_id', true) as organization`,
      );
      expect(who).toEqual({ role: 'integrations_app', organization: orgA });
      const rows = await reads.sql.execute<{ organization_id: string }[]>('select organization_id from integrations');
      expect(rows.map((row) => row.organization_id)).toEqual([orgA]);
      // Writes are just as confined (a read transaction is not meant for them, but RLS holds).
      await expect(
        reads.sql.execute(`insert into integrations (organization_id, provider_id, provider_name) values (?, 'asana', 'Asana')`, [orgB]),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await reads.rollback();
    }
    const other = await db.database.beginOrganizationReads(orgB);
    const rowsB = await other.sql.execute<{ organization_id: string }[]>('select organization_id from integrations');
    await other.commit();
    expect(new Set(rowsB.map((row) => row.organization_id))).toEqual(new Set([orgB]));
  });

  it('leaves no role or organization behind on the pooled connection after a read transaction', async () => {
    for (let i = 0; i < 12; i++) {
      const reads = await db.database.beginOrganizationReads(orgA);
      await reads.sql.execute('select 1');
      await reads.commit();
    }
    // Ten statements at once take every idle connection, among them those the read transactions used.
    const seen = await Promise.all(
      Array.from({ length: 10 }, () =>
        db.database.orm.em
          .fork()
          .execute<{ own_role: boolean; organization: string | null }[]>(
            `select current_user = session_user as own_role, nullif(current_setting('app.organization_id', true), '') as organization`,
          ),
      ),
    );
    for (const [row] of seen) expect(row).toEqual({ own_role: true, organization: null });
  });

  it('confines a one-message read to its organization', async () => {
    const [who] = await db.database.readInOrganization<{ role: string; organization: string }>(
      orgA,
      `select current_user as role, current_setting('app.organization_id', true) as organization`,
    );
    expect(who).toEqual({ role: 'integrations_app', organization: orgA });
    const rows = await db.database.readInOrganization<{ organization_id: string }>(orgB, 'select organization_id from integrations where provider_id = ?', ['slack']);
    expect(rows.map((row) => row.organization_id)).toEqual([orgB]);
    await expect(db.database.readInOrganization("x'; select 1; --", 'select 1')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('rolls back a one-message read whose statement fails, leaving nothing behind on the pooled connection', async () => {
    for (let i = 0; i < 12; i++) {
      await expect(db.database.readInOrganization(orgA, 'select 1 / (? - ?)', [1, 1])).rejects.toThrow(/division by zero/);
      await db.database.readInOrganization(orgA, 'select 1');
    }
    const seen = await Promise.all(
      Array.from({ length: 10 }, () =>
        db.database.orm.em
          .fork()
          .execute<{ own_role: boolean; organization: string | null; in_transaction: boolean }[]>(
            `select current_user = session_user as own_role, nullif(current_setting('app.organization_id', true), '') as organization,
                    now() <> statement_timestamp() as in_transaction`,
          ),
      ),
    );
    for (const [row] of seen) expect(row).toEqual({ own_role: true, organization: null, in_transaction: false });
  });

  it('ends a read transaction that sent nothing without touching the database', async () => {
    const reads = await db.database.beginOrganizationReads(orgA);
    await reads.commit();
    await expect(reads.commit()).rejects.toThrow(/already ended/);
  });

  it('has FORCE ROW LEVEL SECURITY on every tenant table', async () => {
    const rows = await db.database.orm.em
      .fork()
      .execute<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }[]>(
        `select relname, relrowsecurity, relforcerowsecurity from pg_class where relname in ('integrations', 'webhook_events', 'oauth_states')`,
      );
    expect(rows).toHaveLength(3);
    for (const row of rows) expect([row.relname, row.relrowsecurity, row.relforcerowsecurity]).toEqual([row.relname, true, true]);
  });
});
