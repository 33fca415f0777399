/**
 * The logging surface the resilience layer needs: pino's (`(object, message)`), so the
 * service's pino logger or a child of it can be passed as is.
 */
export interface ResilienceLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  /** pino's; when present, debug lines (request headers and bodies) are only built when enabled. */
  isLevelEnabled?(level: string): boolean;
}

const ignore = (): void => undefined;

/** Drops every line: the default, so a library call never prints unless given a logger. */
export const silentLogger: ResilienceLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore, isLevelEnabled: () => false };
