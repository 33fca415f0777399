import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebhookEventRepository, MAX_PAGE_SIZE } from '../../src/db/repositories/webhook-event.repository.js';
import { IntegrationRepository } from '../../src/db/repositories/integration.repository.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';

describe('webhook event and integration repositories', () => {
  let db: TestDatabase;
  const statements: string[] = [];
  const events = new WebhookEventRepository();
  const integrations = new IntegrationRepository();
  const org = newOrganizationId();
  const otherOrg = newOrganizationId();
  let slackId: string;
  let googleId: string;
  let foreignId: string;

  beforeAll(async () => {
    db = await createTestDatabase({ onQuery: (sql) => statements.push(sql) });
    await db.database.asSystem(async (em) => {
      const rows = await em.execute<{ id: string; provider_id: string; organization_id: string }[]>(
        `insert into integrations (organization_id, provider_id, provider_name, status) values
          (?, 'slack', 'Slack', 'connected'), (?, 'google', 'Google Workspace', 'error'), (?, 'slack', 'Slack', 'connected')
         returning id, provider_id, organization_id`,
        [org, org, otherOrg],
      );
      slackId = rows.find((row) => row.provider_id === 'slack' && row.organization_id === org)!.id;
      googleId = rows.find((row) => row.provider_id === 'google')!.id;
      foreignId = rows.find((row) => row.organization_id === otherOrg)!.id;
      // 7 slack events a second apart, newest last; 2 google events, one failed; 3 in the other org.
      await em.execute(
        `insert into webhook_events (organization_id, integration_id, provider, event_type, payload, status, created_at)
         select ?, ?, 'slack', 'message', jsonb_build_object('n', n), case when n = 3 then 'failed' else 'completed' end,
                timestamptz '2026-01-01' + n * interval '1 second'
           from generate_series(1, 7) as n`,
        [org, slackId],
      );
      await em.execute(
        `insert into webhook_events (organization_id, integration_id, provider, event_type, payload, status, created_at) values
          (?, ?, 'google', 'sync', '{}', 'pending', now() - interval '90 seconds'), (?, ?, 'google', 'exists', '{}', 'failed', now())`,
        [org, googleId, org, googleId],
      );
      await em.execute(
        `insert into webhook_events (organization_id, integration_id, provider, event_type, payload)
         select ?, ?, 'slack', 'message', '{}' from generate_series(1, 3)`,
        [otherOrg, foreignId],
      );
    });
  });
  afterAll(() => db.close());


  it('walks pages newest first with cursors until the end', async () => {
    const seen: unknown[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: slackId, first: 3, after }));
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((edge) => (edge.node.payload as { n: number }).n));
      pages += 1;
      if (!page.pageInfo.hasNextPage) {
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(pages).toBe(3);
  });

  it('does not skip events that share a millisecond when a page ends between them', async () => {
    const asanaId = await db.database.asSystem(async (em) => {
      const [row] = await em.execute<{ id: string }[]>(
        `insert into integrations (organization_id, provider_id, provider_name, status) values (?, 'asana', 'Asana', 'connected') returning id`,
        [org],
      );
      // Five events within one millisecond, a tenth of it apart (JavaScript Dates cannot tell them apart).
      await em.execute(
        `insert into webhook_events (organization_id, integration_id, provider, event_type, payload, status, created_at)
         select ?, ?, 'asana', 'task', jsonb_build_object('n', n), 'completed', timestamptz '2026-02-01 00:00:00.0001' + n * interval '100 microseconds'
           from generate_series(1, 5) as n`,
        [org, row!.id],
      );
      return row!.id;
    });
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: asanaId, first: 2, after }));
      seen.push(...page.edges.map((edge) => (edge.node.payload as { n: number }).n));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    // Cursors issued before (millisecond ISO form) are still accepted.
    const legacy = Buffer.from(`2026-02-01T00:00:00.001Z|${randomUUID()}`).toString('base64url');
    const older = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: asanaId, first: 10, after: legacy }));
    expect(older.edges.map((edge) => (edge.node.payload as { n: number }).n)).toEqual([5, 4, 3, 2, 1]);
    await db.database.asSystem((em) => em.execute('delete from integrations where id = ?', [asanaId]));
  });

  it('handles first = 0, a page exactly at the end, status filters and bad input', async () => {
    const zero = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: slackId, first: 0 }));
    expect(zero).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 7 });
    const exact = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: slackId, first: 7 }));
    expect(exact.edges).toHaveLength(7);
    expect(exact.pageInfo.hasNextPage).toBe(false);
    const past = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: slackId, first: 5, after: exact.pageInfo.endCursor }));
    expect(past.edges).toEqual([]);
    expect(past.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    const failed = await db.database.withOrganization(org, (em) => events.page(em, org, { first: 10, status: 'failed' }));
    expect(failed.totalCount).toBe(2);
    expect(failed.edges.map((edge) => edge.node.status)).toEqual(['failed', 'failed']);
    await expect(db.database.withOrganization(org, (em) => events.page(em, org, { first: MAX_PAGE_SIZE + 1 }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(db.database.withOrganization(org, (em) => events.page(em, org, { first: -1 }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(db.database.withOrganization(org, (em) => events.page(em, org, { first: 2, after: 'garbage' }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('never shows another organization rows, even when asked for its integration by id', async () => {
    const all = await db.database.withOrganization(org, (em) => events.page(em, org, { first: 100 }));
    expect(all.totalCount).toBe(9);
    const foreign = await db.database.withOrganization(org, (em) => events.page(em, org, { integrationId: foreignId, first: 10 }));
    expect(foreign.totalCount).toBe(0);
    expect(await db.database.withOrganization(org, (em) => integrations.findById(em, org, foreignId))).toBeNull();
    expect(await db.database.withOrganization(org, (em) => integrations.findByIds(em, org, [foreignId, slackId, 'not-a-uuid']))).toHaveLength(1);
  });

  it('pages many integrations in a constant number of statements', async () => {
    statements.length = 0;
    const pages = await db.database.withOrganization(org, (em) => events.pageForIntegrations(em, org, [slackId, googleId, foreignId], { first: 2 }));
    const work = statements.filter((sql) => !/^(begin|commit|select set_config)/i.test(sql));
    // The pages and their total counts come back from one statement.
    expect(work).toHaveLength(1);
    expect(pages.get(slackId)?.edges).toHaveLength(2);
    expect(pages.get(slackId)?.pageInfo.hasNextPage).toBe(true);
    expect(pages.get(googleId)?.totalCount).toBe(2);
    expect(pages.get(foreignId)?.totalCount).toBe(0);
  });

  it('reports queue stats per organization and overall', async () => {
    const stats = await db.database.withOrganization(org, (em) => events.stats(em, org));
    expect(stats).toMatchObject({ pending: 1, processing: 0, completed: 6, failed: 2 });
    expect(stats.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(89);
    const overall = await db.database.asSystem((em) => events.stats(em, null));
    expect(overall.pending).toBe(4);
  });

  it('lists integrations with a status filter', async () => {
    const errored = await db.database.withOrganization(org, (em) => integrations.list(em, org, 'error'));
    expect(errored.map((row) => row.providerId)).toEqual(['google']);
    const all = await db.database.withOrganization(org, (em) => integrations.list(em, org));
    expect(all.map((row) => row.providerName)).toEqual(['Google Workspace', 'Slack']);
    expect(JSON.stringify(all)).not.toMatch(/accessToken|refreshToken/);
  });
});
