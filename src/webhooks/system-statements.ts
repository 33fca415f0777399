import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { APP_ROLE, type Database } from '../db/database.js';
import type { Deadline } from './deadline.js';

/** One statement of a `runSystemStatements` transaction: SQL with `?` placeholders and its values. */
export interface SystemStatement {
  sql: string;
  params?: readonly unknown[];
}

export interface SystemStatementOptions {
  /** Planner settings for these transactions only (`SET LOCAL`), e.g. `{ enable_sort: 'off' }`. */
  plannerSettings?: Record<string, string>;
}

export type SystemStatementRunner = (statements: readonly SystemStatement[], deadline?: Deadline) => Promise<Record<string, unknown>[][]>;

/**
 * The webhook pipeline's hot path (ingest's INSERT, the worker's claims and bulk completions)
 * as `Database.asSystem` transactions in ONE round trip each: BEGIN, the same settings
 * (application role, `app.system`), the statements and COMMIT travel in one simple-query message
 * and run in that order, so row-level security and atomicity are exactly those of `asSystem`,
 * which costs four round trips or more. Values are inlined by MikroORM's own `formatQuery`, as
 * `em.execute` does for every statement it sends. The connection comes from MikroORM's pool (same
 * size limit, same type parsers). Returns each statement's rows.
 *
 * On any error the connection is destroyed rather than returned: after a failed statement its
 * transaction is left aborted (the COMMIT in the same message is not run), and a connection that
 * is mid-transaction must never go back to the pool.
 *
 * With a `deadline`, the transaction is abandoned when it passes, so it cannot commit later: not
 * sent if it is still waiting for a connection; its connection destroyed if it is on the wire
 * (a message the network lost never arrives); and the server is given what is left of the
 * deadline as the transaction's `statement_timeout`, for a message that arrived but waits there
 * (on a lock, or a saturated server).
 */
export function createSystemStatementRunner(database: Database, options: SystemStatementOptions = {}): SystemStatementRunner {
  const platform = database.orm.em.getPlatform();
  const settings = Object.entries(options.plannerSettings ?? {}).map(([name, value]) => platform.formatQuery(`, set_config(?, ?, true)`, [name, value]));
  const opening = `begin; ${platform.formatQuery(`select set_config('role', ?, true), set_config('app.system', 'on', true)`, [APP_ROLE])}${settings.join('')}`;
  let pool: Promise<pg.Pool> | null = null;

  return async (statements, deadline) => {
    const signal = deadline?.signal;
    signal?.throwIfAborted();
    pool ??= database.orm.em.getConnection().getNativeClient();
    const client = await (await pool).connect();
    let released = false;
    const release = (error?: Error | boolean) => {
      if (released) return;
      released = true;
      client.release(error);
    };
    if (signal?.aborted) {
      release();
      throw signal.reason;
    }
    // A release with an error ends the client, which destroys the socket of a query in flight.
    const abandon = () => release(new Error('transaction abandoned'));
    signal?.addEventListener('abort', abandon, { once: true });
    // The settings statement runs before the statement timeout it sets applies: to the statements after it.
    const limit = deadline ? platform.formatQuery(`, set_config('statement_timeout', ?, true)`, [String(deadline.remainingMs())]) : '';
    const sql = `${opening}${limit}; ` + statements.map((statement) => `${platform.formatQuery(statement.sql, [...(statement.params ?? [])])}; `).join('') + 'commit';
    let results: pg.QueryResult[];
    try {
      results = (await client.query(sql)) as unknown as pg.QueryResult[];
    } catch (error) {
      release(error instanceof Error ? error : true);
      throw signal?.aborted ? signal.reason : error;
    } finally {
      signal?.removeEventListener('abort', abandon);
    }
    release();
    // begin, settings, the statements, commit
    return statements.map((_, index) => results[index + 2]!.rows as Record<string, unknown>[]);
  };
}

/** A runner as an executor of single statements (for the store's methods). */
export function systemStatementExecutor(run: SystemStatementRunner): Pick<EntityManager, 'execute'> {
  return {
    execute: (async (sql: string, params: readonly unknown[] = []) => (await run([{ sql, params }]))[0]!) as unknown,
  } as Pick<EntityManager, 'execute'>;
}

/**
 * An executor of `asSystem` statements that read the due-time index in order: sorting is off for
 * its transactions. Under row-level security the planner guesses that only a couple of rows pass
 * the policy, so a sort of every due row looks as cheap as reading the first ones from the
 * (status, next_attempt_at) index; with a backlog it was a sort of the whole backlog per
 * statement (236 ms, spilling to disk, at 110 000 pending rows) rather than well under a
 * millisecond. For the database backend's claims and the sweeper's overdue scan.
 */
export function dueOrderExecutor(database: Database): Pick<EntityManager, 'execute'> {
  return systemStatementExecutor(createSystemStatementRunner(database, { plannerSettings: { enable_sort: 'off' } }));
}
