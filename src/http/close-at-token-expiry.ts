import type { WebSocket } from 'ws';

/** graphql-ws's Forbidden: its client reconnects on it (running `connectionParams` again, so a fresh token can be sent), as it does not on 4401. */
const TOKEN_EXPIRED_CLOSE_CODE = 4403;
/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Closes a subscription socket when the token it authenticated with expires. The token is
 * checked once, in `connection_init`; without this a socket, and every subscription on it, would
 * keep receiving an organization's events long after its token stopped being accepted anywhere
 * else.
 */
export function closeAtTokenExpiry(socket: WebSocket, expiresAt: Date): void {
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    const remaining = expiresAt.getTime() - Date.now();
    if (remaining <= 0) {
      socket.close(TOKEN_EXPIRED_CLOSE_CODE, 'Forbidden: token expired');
      return;
    }
    timer = setTimeout(check, Math.min(remaining, MAX_TIMER_MS));
    // The socket keeps the process alive while it is open; this timer alone must not.
    timer.unref();
  };
  socket.once('close', () => clearTimeout(timer));
  check();
}
