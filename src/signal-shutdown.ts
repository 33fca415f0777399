import type { Logger } from 'pino';

/** Longer than the webhook queue's own shutdown wait, shorter than an orchestrator's kill (~30 s). */
const SHUTDOWN_TIMEOUT_MS = 25_000;

export interface SignalShutdownOptions {
  logger: Pick<Logger, 'info' | 'error'>;
  /** Logged when a signal arrives. @default 'shutting down' */
  stoppingMessage?: string;
  /** Logged when closing outlasts the timeout, before exiting 1. @default 'shutdown timed out; exiting' */
  timedOutMessage?: string;
}

export interface SignalShutdown {
  /** Whether a signal has arrived: a process still starting should go no further (not listen). */
  readonly requested: boolean;
  /**
   * Hands over what takes the started services down in order; the process exits 0 once it
   * resolves. Runs at once when a signal arrived during start-up.
   */
  closeWith(close: () => Promise<void>): void;
}

/**
 * On SIGINT or SIGTERM, runs the `close` handed over once and exits: 0 when it finishes, 1 when
 * it fails or is still running after {@link SHUTDOWN_TIMEOUT_MS}. The one place that orders a
 * process's shutdown (the server's and the standalone worker's).
 *
 * Registered before start-up begins: a signal during start-up (a supervisor stopping a process
 * it has just started) lets start-up finish, then closes what it started, rather than killing
 * the process with connections half-open, or being missed by a handler not yet there.
 */
export function shutDownOnSignals({ logger, stoppingMessage = 'shutting down', timedOutMessage = 'shutdown timed out; exiting' }: SignalShutdownOptions): SignalShutdown {
  let requested = false;
  let close: (() => Promise<void>) | undefined;
  const run = (closing: () => Promise<void>) =>
    closing().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (requested) return;
    requested = true;
    logger.info({ signal, starting: close === undefined }, stoppingMessage);
    setTimeout(() => {
      logger.error({}, timedOutMessage);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    if (close) void run(close);
  };
  // `on`, not `once`: a library using signal-exit re-raises the signal when it believes it is the
  // last listener, which would kill the process in the middle of draining.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    get requested() {
      return requested;
    },
    closeWith(given) {
      close = given;
      if (requested) void run(given);
    },
  };
}
