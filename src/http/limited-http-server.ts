import { createServer, type Server } from 'node:http';
import type { HttpServerLimits } from '../config.js';

/**
 * How often Node looks for requests past their header or request timeout, at most. Its default
 * (30 s) would let a stalled request live up to 30 s beyond its timeout.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * The HTTP server with what one client may hold bounded: a request whose headers or body never
 * finish is closed (408) after its timeout instead of Node's 300 s, and connections beyond the
 * cap are refused, so slow or stalled clients cannot pile up sockets. Upgraded (graphql-ws)
 * connections are not requests in flight: the timeouts stop applying once they are upgraded.
 */
export function createLimitedHttpServer(limits: HttpServerLimits): Server {
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    // A quarter of a short headers timeout, so it is enforced within 25 %.
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, Math.ceil(limits.headersTimeoutMs / 4)),
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}
