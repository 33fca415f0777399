import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger as OrmLogger, LogContext } from '@mikro-orm/core';
import { migrations } from '../../migrations/index.js';
import { IntegrationEntity, OAuthStateEntity, WebhookEventEntity } from './entities/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { assertOrganizationId } from './organization-id.js';

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
  /** Where the embedded database keeps its files. @default '.data' */
  dataDir?: string;
  logger?: DatabaseLogger;
  /** Called with every SQL statement sent (tests count statements with it). */
  onQuery?: (sql: string) => void;
  /** Apply pending migrations before returning. @default true */
  migrate?: boolean;
  /** Connection pool size. @default 10 (4 on the embedded database) */
  poolSize?: number;
}

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
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
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

export function databaseConfig(clientUrl: string, options: Pick<DatabaseOptions, 'onQuery' | 'poolSize'> = {}): Options {
  return {
    clientUrl,
    entities: [IntegrationEntity, WebhookEventEntity, OAuthStateEntity],
    extensions: [Migrator],
    migrations: { migrationsList: migrations, snapshot: false, transactional: true, allOrNothing: true, silent: true },
    pool: { min: 0, max: options.poolSize ?? 10 },
    debug: options.onQuery ? ['query'] : false,
    loggerFactory: () => queryListenerLogger(options.onQuery),
    allowGlobalContext: false,
    // Entities are declared with explicit column types, so no reflection of TS types is needed.
    discovery: { checkDuplicateTableNames: true },
  };
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
  }

  let orm: MikroORM;
  try {
    orm = await MikroORM.init(databaseConfig(url, { onQuery: options.onQuery, poolSize: options.poolSize ?? (embedded ? 4 : 10) }));
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  const transaction = <T>(settings: Record<string, string>, work: (em: EntityManager) => Promise<T>): Promise<T> =>
    orm.em.fork().transactional(async (em) => {
      const names = Object.keys(settings);
      // One round trip: the role switch and every setting are local to this transaction.
      await em.execute(
        `select set_config('role', ?, true)${names.map(() => ', set_config(?, ?, true)').join('')}`,
        [APP_ROLE, ...names.flatMap((name) => [name, settings[name]!])],
      );
      return work(em);
    });

  const database: Database = {
    orm,
    url,
    embedded: embedded !== undefined,
    withOrganization: async (organizationId, work) =>
      transaction({ 'app.organization_id': assertOrganizationId(organizationId) }, work),
    asSystem: (work) => transaction({ 'app.system': 'on' }, work),
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
