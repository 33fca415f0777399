import pg from 'pg';
import { ConfigError } from '../config.js';

/** SQLSTATE of a connection to a database that does not exist (invalid_catalog_name). */
const DATABASE_DOES_NOT_EXIST = '3D000';
/** SQLSTATE of a CREATE DATABASE that lost a race with another process's (duplicate_database). */
const DATABASE_ALREADY_EXISTS = '42P04';
/** getaddrinfo's answers for a name that does not resolve, for good or for now. */
const UNRESOLVED_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
/** The database a server always has, from which another one is created (what `createdb` uses). */
const MAINTENANCE_DATABASE = 'postgres';

export interface EnsureDatabaseOptions {
  /** Create the database when it does not exist (`DATABASE_CREATE`). @default false */
  create?: boolean;
  logger?: { info(object: Record<string, unknown>, message: string): void };
  /** Longest wait for each connection: a network that drops packets would hold start-up for minutes. */
  connectTimeoutMs: number;
}

/** Where a connection string points, without its credentials (safe in a message). */
function describeTarget(url: URL): { host: string; port: string; database: string } {
  return { host: url.hostname || 'localhost', port: url.port || '5432', database: decodeURIComponent(url.pathname.slice(1)) || url.username || 'postgres' };
}

/**
 * Connects once to the database of `databaseUrl` before anything else does. MikroORM would
 * create a missing database by itself (its `ensureDatabase`, and its migrator's), so a mistyped
 * name in `DATABASE_URL` would start an empty service: here a missing database is created only
 * when asked (`create`), and otherwise stops start-up with a `ConfigError` naming `DATABASE_URL`,
 * as a host that does not resolve does. Other failures (refused, authentication) pass through.
 */
export async function ensureDatabase(databaseUrl: string, options: EnsureDatabaseOptions): Promise<void> {
  const url = new URL(databaseUrl);
  const target = describeTarget(url);
  const connectionTimeoutMillis = options.connectTimeoutMs;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis });
  try {
    await client.connect();
    return;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && UNRESOLVED_HOST.has(code)) {
      throw new ConfigError('DATABASE_URL', `host "${target.host}" does not resolve (${code})`);
    }
    if (code !== DATABASE_DOES_NOT_EXIST) throw error;
    if (!options.create) {
      throw new ConfigError(
        'DATABASE_URL',
        `database "${target.database}" does not exist on ${target.host}:${target.port}; check the name, or set DATABASE_CREATE=true to have it created`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }

  const maintenanceUrl = new URL(databaseUrl);
  maintenanceUrl.pathname = `/${MAINTENANCE_DATABASE}`;
  const admin = new pg.Client({ connectionString: maintenanceUrl.toString(), connectionTimeoutMillis });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(target.database)}`);
    options.logger?.info({ database: target.database, host: target.host }, 'database created (DATABASE_CREATE)');
  } catch (error) {
    if ((error as { code?: unknown }).code !== DATABASE_ALREADY_EXISTS) throw error;
  } finally {
    await admin.end().catch(() => undefined);
  }
}
