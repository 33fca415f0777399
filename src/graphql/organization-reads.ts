import type { Database, OrganizationReadTransaction, SqlExecutor } from '../db/database.js';
import { AppError, ErrorCode } from '../errors/app-error.js';

/** A unit of read work under the caller's organization: one DataLoader batch or one resolver's query. */
export type OrganizationWork<T> = (sql: SqlExecutor, organizationId: string) => Promise<T>;

/**
 * How the reads of one GraphQL operation reach the database: always in a transaction as the
 * application role with `app.organization_id` set to the caller's organization (row-level
 * security), and with the organization passed to the repository as an explicit filter.
 *
 * By default every `run` is a transaction of its own (`Database.withOrganization`). For a query
 * over HTTP, `readTransactionPlugin` calls `shareOneTransaction`: the operation's reads then
 * share ONE transaction, opened at the first read and ended by `end()` when the response is
 * ready, so a query costs BEGIN + settings + its statements + COMMIT once instead of per batch.
 * Anything that runs outside that window (a resolver still running after the response, a
 * subscription event, a mutation) falls back to its own transaction, never to a closed one.
 * A failed statement aborts the shared transaction: it is rolled back once its reads are done,
 * and the reads after it share a fresh one. At most one connection per operation is held.
 */
/** The shared transaction of an operation, with the reads still running on it. */
interface SharedTransaction {
  readonly opened: Promise<OrganizationReadTransaction>;
  readonly inFlight: Set<Promise<void>>;
  /** A statement failed: the transaction is aborted and is rolled back, not committed. */
  failed: boolean;
}

export class OrganizationReads {
  #shared = false;
  #ended = false;
  #current: SharedTransaction | undefined;
  /** Transactions being ended: the current one at `end()`, or a failed one as soon as its reads are done. */
  readonly #closing: Promise<void>[] = [];

  constructor(
    private readonly database: Database,
    /** Null when the operation has no authenticated caller: every read is refused. */
    readonly organizationId: string | null,
  ) {}

  run<T>(work: OrganizationWork<T>): Promise<T> {
    const { organizationId } = this;
    if (organizationId === null) return Promise.reject(new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required'));
    if (!this.#shared || this.#ended) {
      return this.database.withOrganization(organizationId, (em) => work(em, organizationId));
    }
    const shared = (this.#current ??= { opened: this.database.beginOrganizationReads(organizationId), inFlight: new Set(), failed: false });
    const running = shared.opened.then((transaction) => work(transaction.sql, organizationId));
    const settled = running.then(
      () => undefined,
      (error: unknown) => {
        // Our own refusals (bad input, not found) are thrown before or instead of SQL and leave
        // the transaction usable; anything else may have aborted it. Later reads then get a
        // fresh transaction rather than waiting for this one's end on a second connection.
        if (error instanceof AppError) return;
        shared.failed = true;
        if (this.#current === shared) {
          this.#current = undefined;
          this.#closing.push(this.#close(shared));
        }
      },
    );
    shared.inFlight.add(settled);
    void settled.then(() => shared.inFlight.delete(settled));
    return running;
  }

  /** From now on, reads share one transaction until `end()`. */
  shareOneTransaction(): void {
    if (!this.#ended) this.#shared = true;
  }

  /**
   * Waits for the reads in flight, then commits the shared transaction (rolls it back when a
   * statement failed). Never throws: the response is already decided, and a read-only
   * transaction's end changes no data; what matters is that the connection goes back.
   */
  async end(): Promise<void> {
    this.#ended = true;
    const current = this.#current;
    this.#current = undefined;
    if (current) this.#closing.push(this.#close(current));
    await Promise.all(this.#closing);
  }

  async #close(shared: SharedTransaction): Promise<void> {
    while (shared.inFlight.size > 0) await Promise.all(shared.inFlight);
    let transaction: OrganizationReadTransaction;
    try {
      transaction = await shared.opened;
    } catch {
      return; // it never opened: nothing to end
    }
    try {
      await (shared.failed ? transaction.rollback() : transaction.commit());
    } catch {
      await transaction.rollback().catch(() => undefined);
    }
  }
}
