import type { Logger } from 'pino';

/** Longer than the webhook queue's own shutdown wait, shorter than an orchestrator's kill (~30 s). */
const SHUTDOWN_TIMEOUT_MS = 25_000;

export interface SignalShutdownOptions {
  logger: Pick<Logger, 'info' | 'error'>;
  /** Takes the process's services down in order; the process exits 0 once it resolves. */
  close: () => Promise<void>;
  /** Logged when a signal arrives. @default 'shutting down' */
  stoppingMessage?: string;
  /** Logged when `close` outlasts the timeout, before exiting 1. @default 'shutdown timed out; exiting' */
  timedOutMessage?: string;
}

/**
 * On SIGINT or SIGTERM, runs `close` once and exits: 0 when it finishes, 1 when it fails or is
 * still running after {@link SHUTDOWN_TIMEOUT_MS}. The one place that orders a process's shutdown
 * (the server's and the standalone worker's).
 */
export function shutDownOnSignals({ logger, close, stoppingMessage = 'shutting down', timedOutMessage = 'shutdown timed out; exiting' }: SignalShutdownOptions): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, stoppingMessage);
    setTimeout(() => {
      logger.error({}, timedOutMessage);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a library using signal-exit re-raises the signal when it believes it is the
  // last listener, which would kill the process in the middle of draining.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
