import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../errors/app-error.js';
import { WebhookEventEntity, type WebhookEventStatusValue } from '../entities/index.js';
import { isUuid } from '../organization-id.js';
import { decodeWebhookEventCursor, encodeWebhookEventCursor } from './webhook-event-cursor.js';

/** The largest page a caller may ask for; larger `first` values are refused, not truncated. */
export const MAX_PAGE_SIZE = 100;

export interface WebhookEventPageArgs {
  first: number;
  after?: string | null | undefined;
  status?: WebhookEventStatusValue | null | undefined;
}

export interface WebhookEventPage {
  edges: { cursor: string; node: WebhookEventEntity }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface WebhookQueueStats {
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  oldestPendingAgeSeconds: number;
}

/**
 * MikroORM expands an array parameter into a list of placeholders, so uuid arrays travel as a
 * PostgreSQL array literal; the ids were checked to be UUIDs, so the literal needs no quoting.
 */
const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

const emptyPage = (totalCount: number): WebhookEventPage => ({
  edges: [],
  pageInfo: { hasNextPage: false, endCursor: null },
  totalCount,
});

function validatePageArgs(args: WebhookEventPageArgs): void {
  if (!Number.isInteger(args.first) || args.first < 0 || args.first > MAX_PAGE_SIZE) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `first must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
}

function toPage(rows: WebhookEventEntity[], first: number, totalCount: number): WebhookEventPage {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeWebhookEventCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** Reads of webhook events: cursor pages (newest first) and queue statistics. */
export class WebhookEventRepository {
  /**
   * One page per integration for any number of integrations in two statements: a LATERAL
   * join that walks the (integration_id, created_at, id) index once per integration, and one
   * grouped count. Fetches `first + 1` rows to know whether another page follows.
   */
  async pageForIntegrations(
    em: EntityManager,
    organizationId: string,
    integrationIds: readonly string[],
    args: WebhookEventPageArgs,
  ): Promise<Map<string, WebhookEventPage>> {
    validatePageArgs(args);
    const ids = [...new Set(integrationIds.filter(isUuid))];
    const pages = new Map<string, WebhookEventPage>(integrationIds.map((id) => [id, emptyPage(0)]));
    if (ids.length === 0) return pages;
    const cursor = args.after ? decodeWebhookEventCursor(args.after) : null;
    const status = args.status ?? null;

    const counts = await em.execute<{ integration_id: string; total: string }[]>(
      `select integration_id, count(*) as total from webhook_events
        where organization_id = ? and integration_id = any(?::uuid[]) and (?::text is null or status = ?)
        group by integration_id`,
      [organizationId, uuidArray(ids), status, status],
    );
    const totals = new Map(counts.map((row) => [row.integration_id, Number(row.total)]));
    if (args.first === 0 || counts.length === 0) {
      for (const id of ids) pages.set(id, emptyPage(totals.get(id) ?? 0));
      return pages;
    }

    const rows = await em.execute<Record<string, unknown>[]>(
      `select e.* from unnest(?::uuid[]) as i(id)
        cross join lateral (
          select w.* from webhook_events w
           where w.integration_id = i.id and w.organization_id = ?
             and (?::text is null or w.status = ?)
             and (?::timestamptz is null or (w.created_at, w.id) < (?::timestamptz, ?::uuid))
           order by w.created_at desc, w.id desc
           limit ?
        ) e`,
      [uuidArray(ids), organizationId, status, status, cursor?.createdAt ?? null, cursor?.createdAt ?? null, cursor?.id ?? null, args.first + 1],
    );
    const byIntegration = new Map<string, WebhookEventEntity[]>();
    for (const row of rows) {
      const entity = em.map(WebhookEventEntity, row);
      const list = byIntegration.get(entity.integrationId) ?? [];
      list.push(entity);
      byIntegration.set(entity.integrationId, list);
    }
    for (const id of ids) pages.set(id, toPage(byIntegration.get(id) ?? [], args.first, totals.get(id) ?? 0));
    return pages;
  }

  /** A page of the organization's events, optionally of one integration. */
  async page(
    em: EntityManager,
    organizationId: string,
    args: WebhookEventPageArgs & { integrationId?: string | null | undefined },
  ): Promise<WebhookEventPage> {
    validatePageArgs(args);
    if (args.integrationId) {
      if (!isUuid(args.integrationId)) return emptyPage(0);
      const pages = await this.pageForIntegrations(em, organizationId, [args.integrationId], args);
      return pages.get(args.integrationId) ?? emptyPage(0);
    }
    const cursor = args.after ? decodeWebhookEventCursor(args.after) : null;
    const status = args.status ?? null;
    const [count] = await em.execute<{ total: string }[]>(
      `select count(*) as total from webhook_events where organization_id = ? and (?::text is null or status = ?)`,
      [organizationId, status, status],
    );
    const totalCount = Number(count?.total ?? 0);
    if (args.first === 0 || totalCount === 0) return emptyPage(totalCount);
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from webhook_events
        where organization_id = ? and (?::text is null or status = ?)
          and (?::timestamptz is null or (created_at, id) < (?::timestamptz, ?::uuid))
        order by created_at desc, id desc limit ?`,
      [organizationId, status, status, cursor?.createdAt ?? null, cursor?.createdAt ?? null, cursor?.id ?? null, args.first + 1],
    );
    return toPage(rows.map((row) => em.map(WebhookEventEntity, row)), args.first, totalCount);
  }

  async findByIds(em: EntityManager, organizationId: string, ids: readonly string[]): Promise<WebhookEventEntity[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    return em.find(WebhookEventEntity, { id: { $in: valid }, organizationId });
  }

  /** Queue figures of one organization, or of every organization when `organizationId` is null (metrics). */
  async stats(em: EntityManager, organizationId: string | null): Promise<WebhookQueueStats> {
    const [row] = await em.execute<Record<string, string | number | null>[]>(
      `select count(*) filter (where status = 'pending') as pending,
              count(*) filter (where status = 'processing') as processing,
              count(*) filter (where status = 'completed') as completed,
              count(*) filter (where status = 'failed') as failed,
              coalesce(floor(extract(epoch from now() - min(created_at) filter (where status = 'pending'))), 0) as oldest
         from webhook_events where (?::uuid is null or organization_id = ?::uuid)`,
      [organizationId, organizationId],
    );
    return {
      pending: Number(row?.pending ?? 0),
      processing: Number(row?.processing ?? 0),
      completed: Number(row?.completed ?? 0),
      failed: Number(row?.failed ?? 0),
      oldestPendingAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)),
    };
  }
}
