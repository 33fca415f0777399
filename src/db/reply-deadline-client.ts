import pg from 'pg';

/** pg's error for a query whose reply did not come within `query_timeout`. */
const READ_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * A `pg` client that drops its connection when a reply does not come within `query_timeout`.
 * pg rejects the query then but keeps the connection, still waiting for the lost reply: every
 * later statement on it (the transaction's ROLLBACK, the next holder once the pool takes it
 * back, since kysely releases without an error) would queue behind it and time out in turn, and
 * the pool would fill with such connections until TCP gives up, minutes later. Destroying the
 * socket makes pg mark the client broken: the holder's next statement fails at once and the
 * pool discards it on release. The server ends the session on its side through
 * `idle_in_transaction_session_timeout` or its own TCP timeouts.
 *
 * Covers the promise and callback forms of `query`, which MikroORM, kysely and this service
 * use; a submittable (a cursor) reports its timeout to itself only.
 */
export class ReplyDeadlineClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = super.query.bind(this) as (...args: unknown[]) => unknown;
    const dropOnTimeout = (error: unknown) => {
      if (error instanceof Error && error.message === READ_TIMEOUT_MESSAGE) this.connection.stream.destroy();
    };
    this.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          dropOnTimeout(error);
          (callback as (error: unknown, result: unknown) => void)(error, result);
        };
        return query(...args);
      }
      const result = query(...args);
      if (result instanceof Promise) result.catch(dropOnTimeout);
      return result;
    }) as pg.Client['query'];
  }
}
