import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ConfigError } from '../../src/config.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { startPacketDropProxy } from '../support/packet-drop-proxy.js';
import { TEST_PG_ADMIN_URL, testDatabaseUrl } from '../support/services.js';

/**
 * A `DATABASE_URL` naming a database that does not exist stops start-up with a message naming the
 * variable, and creates nothing, unless DATABASE_CREATE asks for it; an unresolvable host names
 * the variable too. Names carry the run id, so the global teardown drops whatever is created.
 */
const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
const adminConnected = admin.connect();
const opened: Database[] = [];
const missingName = () => `${process.env.TEST_RUN_ID}_missing_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  for (const database of opened) await database.close();
  await adminConnected;
  await admin.end();
});

async function exists(name: string): Promise<boolean> {
  await adminConnected;
  return (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
}

async function configErrorOf(work: Promise<unknown>): Promise<ConfigError> {
  const error = await work.then(
    () => new Error('expected a ConfigError'),
    (failure: unknown) => failure,
  );
  if (error instanceof ConfigError) return error;
  throw error;
}

describe('createDatabase with DATABASE_URL', () => {
  it('refuses a database that does not exist, naming DATABASE_URL and the database, and creates nothing', async () => {
    const name = missingName();
    const error = await configErrorOf(createDatabase({ databaseUrl: testDatabaseUrl(name) }));
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toContain(`database "${name}" does not exist`);
    expect(error.message).toContain('DATABASE_CREATE=true');
    expect(await exists(name)).toBe(false);
  });

  it('creates and migrates it when asked to (DATABASE_CREATE)', async () => {
    const name = missingName();
    const lines: string[] = [];
    const database = await createDatabase({
      databaseUrl: testDatabaseUrl(name),
      createIfMissing: true,
      logger: { info: (_object, message) => lines.push(message), warn: () => undefined },
    });
    opened.push(database);
    expect(await exists(name)).toBe(true);
    expect(lines).toContain('database created (DATABASE_CREATE)');
    expect(lines).toContain('migration applied');
  });

  it('names DATABASE_URL when its host does not resolve', async () => {
    const error = await configErrorOf(createDatabase({ databaseUrl: 'postgresql://postgres:secret@nope.invalid:5432/integrations' }));
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toMatch(/^DATABASE_URL: host "nope.invalid" does not resolve/);
    expect(error.message).not.toContain('secret');
  });
});

describe('npm run migrate with a mistyped database name', () => {
  it('stops with one line naming DATABASE_URL and exit code 78', async () => {
    const name = missingName();
    const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'scripts/migrate.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH, DATABASE_URL: testDatabaseUrl(name), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toMatch(new RegExp(`^configuration error: DATABASE_URL: database "${name}" does not exist on [^;]+; check the name, or set DATABASE_CREATE=true to have it created\n$`));
    expect(await exists(name)).toBe(false);
  }, 30_000);

  it('gives up connecting within the connect timeout when the network drops every packet', async () => {
    const target = new URL(TEST_PG_ADMIN_URL);
    const proxy = await startPacketDropProxy({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      proxy.cut();
      const proxied = new URL(testDatabaseUrl(missingName()));
      proxied.port = String(proxy.port);
      const started = performance.now();
      await expect(createDatabase({ databaseUrl: proxied.toString(), timeouts: { connectMs: 500, statementMs: 1000 } })).rejects.toThrow(/timeout/);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await proxy.close();
    }
  });
});
