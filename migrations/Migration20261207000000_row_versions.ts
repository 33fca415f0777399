import { Migration } from '@mikro-orm/migrations';

/** Tables whose rows are published on pub/sub as snapshots, and so carry a version. */
const VERSIONED_TABLES = ['integrations', 'webhook_events', 'provider_subscriptions'] as const;

/**
 * A row version for every table whose rows travel as pub/sub snapshots: 1 on insert, one more on
 * every UPDATE, whoever makes it. Messages about one row can arrive out of order (two instances
 * publish on two Redis connections; ingest's PENDING can race the worker's PROCESSING), so a
 * subscriber keeps the copy with the highest version and drops anything older.
 *
 * A trigger rather than `version = version + 1` in each statement: a statement added later (by
 * any module) cannot forget it, and the row lock every UPDATE takes makes the count strictly
 * increasing in commit order, which a timestamp (`now()` is the transaction's start) is not.
 * Another table opts in with the column and one `CREATE TRIGGER … EXECUTE FUNCTION next_row_version()`.
 */
export class Migration20261207000000RowVersions extends Migration {
  override name = 'Migration20261207000000_row_versions';

  override up(): void {
    this.addSql(`
      CREATE FUNCTION next_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.version := OLD.version + 1;
        RETURN NEW;
      END
      $$;`);
    for (const table of VERSIONED_TABLES) {
      this.addSql(`ALTER TABLE ${table} ADD COLUMN version integer NOT NULL DEFAULT 1;`);
      this.addSql(`CREATE TRIGGER ${table}_next_version BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION next_row_version();`);
    }
  }

  override down(): void {
    for (const table of VERSIONED_TABLES) {
      this.addSql(`DROP TRIGGER IF EXISTS ${table}_next_version ON ${table};`);
      this.addSql(`ALTER TABLE ${table} DROP COLUMN IF EXISTS version;`);
    }
    this.addSql(`DROP FUNCTION IF EXISTS next_row_version();`);
  }
}
