import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { insertIntegration } from '../webhooks/support/webhook-fixtures.js';

/** The subscription tables are tenant tables like the others: forced RLS, tenant and system policies. */
describe('row-level security of the subscription tables', () => {
  let db: TestDatabase;
  const orgA = newOrganizationId();
  const orgB = newOrganizationId();

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const organizationId of [orgA, orgB]) {
      const integrationId = await insertIntegration(db.database, organizationId, 'microsoft');
      await db.database.asSystem((em) =>
        em.execute(`insert into provider_subscriptions (organization_id, integration_id, provider, resource) values (?, ?, 'microsoft', '/me/events')`, [organizationId, integrationId]),
      );
    }
    await db.database.asSystem((em) =>
      em.execute(`insert into provider_rate_limits (provider, rate, tokens, refilled_at, window_started_at) values ('microsoft', 10, 1, now(), now())`),
    );
  });
  afterAll(() => db.close());

  it('are forced for their owner too', async () => {
    const tables = await db.database.asSystem((em) =>
      em.execute<{ relname: string; relforcerowsecurity: boolean }[]>(
        `select relname, relforcerowsecurity from pg_class where relname in ('provider_subscriptions', 'provider_rate_limits') order by relname`,
      ),
    );
    expect(tables).toEqual([
      { relname: 'provider_rate_limits', relforcerowsecurity: true },
      { relname: 'provider_subscriptions', relforcerowsecurity: true },
    ]);
  });

  it('confine subscriptions to the transaction’s organization, reads and writes', async () => {
    const visible = await db.database.withOrganization(orgA, (em) => em.execute<{ organization_id: string }[]>('select organization_id from provider_subscriptions'));
    expect(visible.map((row) => row.organization_id)).toEqual([orgA]);
    await db.database.withOrganization(orgA, (em) => em.execute(`update provider_subscriptions set last_error = 'changed'`));
    const changed = await db.database.asSystem((em) => em.execute<{ organization_id: string }[]>(`select organization_id from provider_subscriptions where last_error = 'changed'`));
    expect(changed.map((row) => row.organization_id)).toEqual([orgA]);
  });

  it('keep the shared pacing rows to system transactions', async () => {
    expect(await db.database.withOrganization(orgA, (em) => em.execute('select * from provider_rate_limits'))).toEqual([]);
    expect(await db.database.asSystem((em) => em.execute('select provider from provider_rate_limits'))).toEqual([{ provider: 'microsoft' }]);
  });
});
