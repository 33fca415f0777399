import type { SqlExecutor } from '../database.js';
import { AppError, ErrorCode } from '../../errors/app-error.js';
import type { WebhookEventStatusValue } from '../entities/index.js';
import { isUuid } from '../organization-id.js';
import { dateParser, uuidArray } from './sql-values.js';
import { decodeWebhookEventCursor, encodeWebhookEventCursor } from './webhook-event-cursor.js';
import { toWebhookEventRow, webhookEventRowColumns, type WebhookEventRecord, type WebhookEventRow } from './webhook-event-row.js';

/** The largest page a caller may ask for; larger `first` values are refused, not truncated. */
export const MAX_PAGE_SIZE = 100;

export interface WebhookEventPageArgs {
  first: number;
  after?: string | null | undefined;
  status?: WebhookEventStatusValue | null | undefined;
}

export interface WebhookEventPage {
  edges: { cursor: string; node: WebhookEventRow }[];
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
 * A page query's record: the event's columns (null on the one row of a page without events)
 * plus the page's total count, which every row of the page repeats.
 */
type PageRecord = { [K in keyof WebhookEventRecord]: WebhookEventRecord[K] | null } & { page_key: string; total_count: string };

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

/** Rows to fetch: one more than asked tells whether another page follows; none for `first: 0`. */
const fetchLimit = (first: number): number => (first === 0 ? 0 : first + 1);

/** The cursor and status conditions of a page, on `webhook_events` aliased `w` (params: see pageConditionParams). */
const PAGE_CONDITIONS = `(?::text is null or w.status = ?)
             and (?::timestamptz is null or (w.created_at, w.id) < (?::timestamptz, ?::uuid))`;

function pageConditionParams(args: WebhookEventPageArgs): unknown[] {
  const cursor = args.after ? decodeWebhookEventCursor(args.after) : null;
  const status = args.status ?? null;
  return [status, status, cursor?.createdAt ?? null, cursor?.createdAt ?? null, cursor?.id ?? null];
}

/** Groups page records (`first + 1` at most per page, in page order) into pages by page key. */
function toPages(records: PageRecord[], first: number, parseDate: (value: string) => Date): Map<string, WebhookEventPage> {
  const grouped = new Map<string, { totalCount: number; records: WebhookEventRecord[] }>();
  for (const record of records) {
    let group = grouped.get(record.page_key);
    if (!group) {
      group = { totalCount: Number(record.total_count), records: [] };
      grouped.set(record.page_key, group);
    }
    if (record.id !== null) group.records.push(record as WebhookEventRecord);
  }
  const pages = new Map<string, WebhookEventPage>();
  for (const [key, group] of grouped) {
    const edges = group.records.slice(0, first).map((record) => ({
      // From the timestamp's text, not the parsed Date: exact to the microsecond.
      cursor: encodeWebhookEventCursor({ createdAt: record.created_at, id: record.id }),
      node: toWebhookEventRow(record, parseDate),
    }));
    pages.set(key, {
      edges,
      pageInfo: { hasNextPage: group.records.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: group.totalCount,
    });
  }
  return pages;
}

/**
 * Reads of webhook events: cursor pages (newest first) and queue statistics. Pages are plain
 * WebhookEventRow objects, and each page call is ONE statement: the total count (before the
 * cursor, as the connection's `totalCount` means) rides along on the page's rows.
 */
export class WebhookEventRepository {
  /**
   * One page per integration for any number of integrations in one statement: per integration,
   * a LATERAL count and a LATERAL page that walks the (integration_id, created_at, id) index.
   * An integration without (visible) events still yields one row, carrying its count.
   */
  async pageForIntegrations(
    em: SqlExecutor,
    organizationId: string,
    integrationIds: readonly string[],
    args: WebhookEventPageArgs,
  ): Promise<Map<string, WebhookEventPage>> {
    validatePageArgs(args);
    const ids = [...new Set(integrationIds.filter(isUuid))];
    const pages = new Map<string, WebhookEventPage>(integrationIds.map((id) => [id, emptyPage(0)]));
    if (ids.length === 0) return pages;
    const conditions = pageConditionParams(args);

    const records = await em.execute<PageRecord[]>(
      `select i.id as page_key, c.total_count, ${webhookEventRowColumns('e')}
         from unnest(?::uuid[]) with ordinality as i(id, position)
        cross join lateral (
          select count(*) as total_count from webhook_events w
           where w.integration_id = i.id and w.organization_id = ? and (?::text is null or w.status = ?)
        ) c
         left join lateral (
          select ${webhookEventRowColumns('w')} from webhook_events w
           where w.integration_id = i.id and w.organization_id = ?
             and ${PAGE_CONDITIONS}
           order by w.created_at desc, w.id desc
           limit ?
        ) e on true
        order by i.position, e.created_at desc, e.id desc`,
      [uuidArray(ids), organizationId, conditions[0], conditions[1], organizationId, ...conditions, fetchLimit(args.first)],
    );
    const found = toPages(records, args.first, dateParser(em));
    // Keyed as the caller asked; PostgreSQL answers with lower-case uuids.
    for (const id of integrationIds) {
      const page = found.get(id.toLowerCase());
      if (page) pages.set(id, page);
    }
    return pages;
  }

  /** A page of the organization's events, optionally of one integration. */
  async page(
    em: SqlExecutor,
    organizationId: string,
    args: WebhookEventPageArgs & { integrationId?: string | null | undefined },
  ): Promise<WebhookEventPage> {
    validatePageArgs(args);
    if (args.integrationId) {
      if (!isUuid(args.integrationId)) return emptyPage(0);
      const pages = await this.pageForIntegrations(em, organizationId, [args.integrationId], args);
      return pages.get(args.integrationId) ?? emptyPage(0);
    }
    const conditions = pageConditionParams(args);
    const records = await em.execute<PageRecord[]>(
      `select 'organization' as page_key, c.total_count, ${webhookEventRowColumns('e')}
         from (
          select count(*) as total_count from webhook_events w
           where w.organization_id = ? and (?::text is null or w.status = ?)
        ) c
         left join lateral (
          select ${webhookEventRowColumns('w')} from webhook_events w
           where w.organization_id = ? and ${PAGE_CONDITIONS}
           order by w.created_at desc, w.id desc
           limit ?
        ) e on true
        order by e.created_at desc, e.id desc`,
      [organizationId, conditions[0], conditions[1], organizationId, ...conditions, fetchLimit(args.first)],
    );
    return toPages(records, args.first, dateParser(em)).get('organization') ?? emptyPage(0);
  }

  async findByIds(em: SqlExecutor, organizationId: string, ids: readonly string[]): Promise<WebhookEventRow[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const records = await em.execute<WebhookEventRecord[]>(
      `select ${webhookEventRowColumns('w')} from webhook_events w where w.organization_id = ? and w.id = any(?::uuid[])`,
      [organizationId, uuidArray(valid)],
    );
    const parseDate = dateParser(em);
    return records.map((record) => toWebhookEventRow(record, parseDate));
  }

  /** Queue figures of one organization, or of every organization when `organizationId` is null (metrics). */
  async stats(em: SqlExecutor, organizationId: string | null): Promise<WebhookQueueStats> {
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
