import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger as OrmLogger, LogContext } from '@mikro-orm/core';
import { migrations } from '../../migrations/index.js';
import { IntegrationEntity, OAuthStateEntity, WebhookEventEntity } from './entities/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { ensureDatabase } from './ensure-database.js';
import { assertOrganizationId } from './organization-id.js';
import { ReplyDeadlineClient } from './reply-deadline-client.js';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../config.js';

/** The role every application transaction runs under; row-level security applies to it. */
export const APP_ROLE = 'integrations_app';

/** The slice of a pino logger the database layer uses. */
export interface DatabaseLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string. When absent, an embedded PGlite is started under `dataDir`. */
  databaseUrl?: string | undefined;
  /**
   * Create the database `databaseUrl` names when it does not exist (`DATABASE_CREATE`); otherwise
   * a missing one is a `ConfigError` naming `DATABASE_URL`. @default false
   */
  createIfMissing?: boolean;
  /** Where the embedded database keeps its files. @default '.data' */
  dataDir?: string;
  logger?: DatabaseLogger;
  /** Called with every SQL statement sent (tests count statements with it). */
  onQuery?: (sql: string) => void;
  /** Apply pending migrations before returning. @default true */
  migrate?: boolean;
  /** Connection pool size. @default 10 (4 on the embedded database) */
  poolSize?: number;
  /** How long to wait on PostgreSQL. @default DEFAULT_DATABASE_TIMEOUTS */
  timeouts?: DatabaseTimeouts;
}


/**
 * How much longer than the statement timeout a reply may take before the connection counts as
 * dead: the server answers a statement it cancelled at once, so only a lost network is slower.
 */
const REPLY_GRACE_MS = 2000;

/** TCP keepalive probes start after this much idleness, so a half-open idle connection is noticed. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

export interface Database {
  readonly orm: MikroORM;
  /** The connection string in use (the embedded server's, when embedded). */
  readonly url: string;
  readonly embedded: boolean;
  /**
   * Runs `work` in one transaction as the application role with `app.organization_id` set,
   * on a fresh EntityManager fork: row-level security confines every statement to that
   * organization whatever the query says.
   */
  withOrganization<T>(organizationId: string, work: (em: EntityManager) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one transaction as the application role with cross-organization access.
   * Only for system work that learns the organization from the data itself: webhook routing,
   * the queue worker and sweeper, the OAuth callback, token refresh by integration id.
   */
  asSystem<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
  /**
   * A transaction with the same settings as `withOrganization` (application role,
   * `app.organization_id`), for reads that span several steps: one GraphQL query's reads share
   * it. The caller must `commit` or `rollback` exactly once, or the connection never returns to
   * the pool. It is built for round trips rather than for entities: statements go straight to a
   * pooled `pg` connection, and BEGIN and the settings travel in the same message as the first
   * statement (executed in that order, so the settings apply to it exactly as they would in
   * separate round trips); no entity, identity map or flush is involved.
   */
  beginOrganizationReads(organizationId: string): Promise<OrganizationReadTransaction>;
  /**
   * One read statement (`?` placeholders) with the same settings as `withOrganization`, in a
   * transaction of its own whose BEGIN, settings, statement and COMMIT travel in one message:
   * one round trip, for a read on every request of a hot path (the proxy's integration row).
   */
  readInOrganization<T extends object>(organizationId: string, sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The part of an EntityManager the read repositories use: raw SQL with `?` placeholders (one
 * statement, rows back) and the platform's value parsing. An EntityManager is one; so is the
 * `sql` of an OrganizationReadTransaction.
 */
export type SqlExecutor = Pick<EntityManager, 'execute' | 'getPlatform'>;

/** A read transaction opened by `Database.beginOrganizationReads`. */
export interface OrganizationReadTransaction {
  /** Runs statements in the transaction, in the order they are called. */
  readonly sql: SqlExecutor;
  /** Ends the transaction and returns its connection to the pool. Call exactly one of these, once. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

const silentLogger: DatabaseLogger = { info: () => undefined, warn: () => undefined };

/** Routes MikroORM's query log to `onQuery`, and nothing else anywhere (no SQL params in logs). */
function queryListenerLogger(onQuery: ((sql: string) => void) | undefined): OrmLogger {
  return {
    log: () => undefined,
    error: () => undefined,
    warn: () => undefined,
    logQuery: (context: LogContext) => {
      if (onQuery && context.query) onQuery(context.query);
    },
    setDebugMode: () => undefined,
    isEnabled: (namespace) => namespace === 'query' && onQuery !== undefined,
  };
}

/**
 * The `pg` pool's bounds on waiting, so a silent network loss costs seconds, not TCP's minutes:
 * connecting (and waiting for a free pooled connection), each statement (server side), an open
 * transaction left idle (server side), and each reply (client side; the connection is dropped,
 * see ReplyDeadlineClient).
 */
function poolTimeouts({ connectMs, statementMs }: DatabaseTimeouts) {
  return {
    Client: ReplyDeadlineClient,
    connectionTimeoutMillis: connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    statement_timeout: statementMs,
    idle_in_transaction_session_timeout: statementMs,
    query_timeout: statementMs + REPLY_GRACE_MS,
  };
}

function databaseConfig(clientUrl: string, options: Pick<DatabaseOptions, 'onQuery' | 'poolSize' | 'timeouts'> = {}): Options {
  return {
    clientUrl,
    entities: [IntegrationEntity, WebhookEventEntity, OAuthStateEntity],
    extensions: [Migrator],
    migrations: { migrationsList: migrations, snapshot: false, transactional: true, allOrNothing: true, silent: true },
    pool: { min: 0, max: options.poolSize ?? 10 },
    driverOptions: poolTimeouts(options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS),
    debug: options.onQuery ? ['query'] : false,
    loggerFactory: () => queryListenerLogger(options.onQuery),
    allowGlobalContext: false,
    // A missing database is createDatabase's decision (ensureDatabase), never a side effect of connecting.
    ensureDatabase: false,
    // Entities are declared with explicit column types, so no reflection of TS types is needed.
    discovery: { checkDuplicateTableNames: true },
  };
}

/** One statement for the role switch and every setting, all local to the transaction. */
function settingsStatement(settings: Record<string, string>): { sql: string; params: string[] } {
  const names = Object.keys(settings);
  return {
    sql: `select set_config('role', ?, true)${names.map(() => ', set_config(?, ?, true)').join('')}`,
    params: [APP_ROLE, ...names.flatMap((name) => [name, settings[name]!])],
  };
}

/**
 * See `Database.beginOrganizationReads`. Values are inlined into the SQL by MikroORM's own
 * `formatQuery`, exactly as `em.execute` does for every statement it sends, so the simple query
 * protocol can carry BEGIN, the settings and the first statement in one message. The connection
 * is checked out of MikroORM's pool (same size limit, same type parsers: timestamptz stays text).
 */
async function openReadTransaction(
  orm: MikroORM,
  onQuery: ((sql: string) => void) | undefined,
  settings: Record<string, string>,
): Promise<OrganizationReadTransaction> {
  const platform = orm.em.getPlatform();
  const pool = await orm.em.getConnection().getNativeClient();
  const client = await pool.connect();
  const settingsSql = settingsStatement(settings);
  /** BEGIN and the settings, until the first statement takes them along. */
  let opening: string | null = `begin; ${platform.formatQuery(settingsSql.sql, settingsSql.params)}; `;
  let released = false;

  const send = async (sql: string): Promise<Record<string, unknown>[]> => {
    const results = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
    return (Array.isArray(results) ? results.at(-1)! : results).rows;
  };
  const execute = (async (sql: string, params: readonly unknown[] = []) => {
    const statement = platform.formatQuery(sql, [...params]);
    if (opening === null) {
      onQuery?.(sql);
      return send(statement);
    }
    const prefix = opening;
    opening = null;
    onQuery?.('begin');
    onQuery?.(settingsSql.sql);
    onQuery?.(sql);
    return send(prefix + statement);
  }) as SqlExecutor['execute'];

  const end = async (command: 'commit' | 'rollback') => {
    if (released) throw new Error(`${command}: the read transaction has already ended`);
    released = true;
    if (opening !== null) {
      client.release(); // no statement was sent: there is no transaction to end
      return;
    }
    try {
      onQuery?.(command);
      await client.query(command);
      client.release();
    } catch (error) {
      // A connection that cannot end its transaction must not go back to the pool mid-transaction.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };

  return {
    sql: { execute, getPlatform: () => platform } as SqlExecutor,
    commit: () => end('commit'),
    rollback: () => end('rollback'),
  };
}

/**
 * See `Database.readInOrganization`. Values are inlined by MikroORM's `formatQuery`, as in
 * `openReadTransaction`. A failed statement leaves the transaction aborted (the rest of the
 * message is skipped): it is rolled back before the connection goes back to the pool.
 */
async function readOnce<T>(orm: MikroORM, onQuery: ((sql: string) => void) | undefined, settings: Record<string, string>, sql: string, params: readonly unknown[]): Promise<T[]> {
  const platform = orm.em.getPlatform();
  const pool = await orm.em.getConnection().getNativeClient();
  const client = await pool.connect();
  const settingsSql = settingsStatement(settings);
  for (const statement of ['begin', settingsSql.sql, sql, 'commit']) onQuery?.(statement);
  let results: pg.QueryResult[];
  try {
    results = (await client.query(
      `begin; ${platform.formatQuery(settingsSql.sql, settingsSql.params)}; ${platform.formatQuery(sql, [...params])}; commit`,
    )) as unknown as pg.QueryResult[];
  } catch (error) {
    try {
      await client.query('rollback');
      client.release();
    } catch (rollbackError) {
      client.release(rollbackError instanceof Error ? rollbackError : true);
    }
    throw error;
  }
  client.release();
  return results[2]!.rows as T[];
}

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  let embedded: EmbeddedPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    const dataDir = options.dataDir ?? '.data';
    embedded = await startEmbeddedPostgres(dataDir);
    url = embedded.url;
    logger.info({ dataDir }, 'DATABASE_URL is not set: using the embedded PostgreSQL (PGlite)');
  } else {
    await ensureDatabase(url, { create: options.createIfMissing, logger, connectTimeoutMs: (options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS).connectMs });
  }

  let orm: MikroORM;
  try {
    orm = await MikroORM.init(
      databaseConfig(url, { onQuery: options.onQuery, poolSize: options.poolSize ?? (embedded ? 4 : 10), timeouts: options.timeouts }),
    );
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  const transaction = <T>(settings: Record<string, string>, work: (em: EntityManager) => Promise<T>): Promise<T> =>
    orm.em.fork().transactional(async (em) => {
      const { sql, params } = settingsStatement(settings);
      await em.execute(sql, params);
      return work(em);
    });

  const database: Database = {
    orm,
    url,
    embedded: embedded !== undefined,
    withOrganization: async (organizationId, work) =>
      transaction({ 'app.organization_id': assertOrganizationId(organizationId) }, work),
    asSystem: (work) => transaction({ 'app.system': 'on' }, work),
    beginOrganizationReads: async (organizationId) =>
      openReadTransaction(orm, options.onQuery, { 'app.organization_id': assertOrganizationId(organizationId) }),
    readInOrganization: async (organizationId, sql, params = []) =>
      readOnce(orm, options.onQuery, { 'app.organization_id': assertOrganizationId(organizationId) }, sql, params),
    async ping() {
      await orm.em.fork().execute('select 1');
    },
    async migrate() {
      const applied = await orm.migrator.up();
      for (const migration of applied) logger.info({ migration: migration.name }, 'migration applied');
      return applied.map((migration) => migration.name);
    },
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };

  if (options.migrate ?? true) {
    try {
      await database.migrate();
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}
