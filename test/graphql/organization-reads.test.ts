import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '../../src/errors/app-error.js';
import { OrganizationReads } from '../../src/graphql/organization-reads.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';

/**
 * OrganizationReads: one transaction for every read of a query (once the plugin shares it), a
 * transaction per read otherwise, and never a statement on a transaction that has ended.
 */
describe('OrganizationReads', () => {
  let db: TestDatabase;
  const statements: string[] = [];
  const org = newOrganizationId();
  const otherOrg = newOrganizationId();
  const visibleOrganizations = (reads: OrganizationReads) =>
    reads.run((sql) => sql.execute<{ organization_id: string }[]>('select organization_id from integrations'));
  const transactionId = (reads: OrganizationReads) =>
    reads.run(async (sql) => (await sql.execute<{ id: string }[]>('select txid_current()::text as id'))[0]!.id);
  const count = (pattern: RegExp) => statements.filter((sql) => pattern.test(sql)).length;

  beforeAll(async () => {
    db = await createTestDatabase({ onQuery: (sql) => statements.push(sql) });
    await db.database.asSystem((em) =>
      em.execute(`insert into integrations (organization_id, provider_id, provider_name) values (?, 'slack', 'Slack'), (?, 'slack', 'Slack')`, [
        org,
        otherOrg,
      ]),
    );
  });
  afterAll(() => db.close());

  it('shares one transaction between concurrent and later reads, each confined to the organization', async () => {
    const reads = new OrganizationReads(db.database, org);
    reads.shareOneTransaction();
    statements.length = 0;
    const [first, second, rows] = await Promise.all([transactionId(reads), transactionId(reads), visibleOrganizations(reads)]);
    const third = await transactionId(reads);
    await reads.end();
    expect(new Set([first, second, third]).size).toBe(1);
    expect(rows.map((row) => row.organization_id)).toEqual([org]);
    expect([count(/^begin/i), count(/^select set_config/i), count(/^commit/i), count(/^rollback/i)]).toEqual([1, 1, 1, 0]);
  });

  it('gives each read a transaction of its own until shared, and again after the end', async () => {
    const reads = new OrganizationReads(db.database, org);
    const before = [await transactionId(reads), await transactionId(reads)];
    reads.shareOneTransaction();
    const shared = await transactionId(reads);
    await reads.end();
    const after = await transactionId(reads);
    expect(new Set([...before, shared, after]).size).toBe(4);
    expect((await visibleOrganizations(reads)).map((row) => row.organization_id)).toEqual([org]);
  });

  it('lets the reads in flight finish before committing', async () => {
    const reads = new OrganizationReads(db.database, org);
    reads.shareOneTransaction();
    const slow = reads.run(async (sql) => {
      await sql.execute('select pg_sleep(0.05)');
      return visibleOrganizations(reads).then(() => sql.execute<{ organization_id: string }[]>('select organization_id from integrations'));
    });
    await new Promise((resolve) => setImmediate(resolve));
    await reads.end();
    expect((await slow).map((row) => row.organization_id)).toEqual([org]);
  });

  it('rolls a failed transaction back at once and moves later reads to a fresh shared one', async () => {
    const reads = new OrganizationReads(db.database, org);
    reads.shareOneTransaction();
    statements.length = 0;
    const first = await transactionId(reads);
    await expect(reads.run((sql) => sql.execute('select * from no_such_table'))).rejects.toThrow(/no_such_table/);
    const [second, third] = await Promise.all([transactionId(reads), transactionId(reads)]);
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await reads.end();
    expect([count(/^begin/i), count(/^commit/i), count(/^rollback/i)]).toEqual([2, 1, 1]);
  });

  it('keeps the shared transaction after one of our own refusals (thrown before any SQL)', async () => {
    const reads = new OrganizationReads(db.database, org);
    reads.shareOneTransaction();
    const shared = await transactionId(reads);
    await expect(reads.run(() => Promise.reject(new AppError(ErrorCode.BAD_USER_INPUT, 'bad cursor')))).rejects.toThrow('bad cursor');
    expect(await transactionId(reads)).toBe(shared);
    await reads.end();
  });

  it('refuses every read without an organization, shared or not', async () => {
    const reads = new OrganizationReads(db.database, null);
    await expect(visibleOrganizations(reads)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    reads.shareOneTransaction();
    await expect(visibleOrganizations(reads)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await reads.end();
  });
});
