import type { IncomingMessage } from 'node:http';

/**
 * Destroys `body` with `stalled()` (which closes the provider's connection) when it is being
 * read and its socket received nothing for `idleMs`; returns `body`. Only time spent waiting on
 * the provider counts: while the reader holds the stream paused (its own consumer is slow) the
 * wait starts over, so a large download to a slow caller is not cut. Progress is the socket's
 * byte count, checked when the one timer fires: nothing runs per chunk, and no `data` listener
 * is added (one would start the flow before the reader is there). A stall is so cut after
 * `idleMs` to twice that.
 */
export function failWhenStalled(body: IncomingMessage, idleMs: number, stalled: () => Error): IncomingMessage {
  const { socket } = body;
  let bytesRead = socket.bytesRead;
  const timer = setTimeout(() => {
    if (body.readableFlowing === true && socket.bytesRead === bytesRead) {
      body.destroy(stalled());
      return;
    }
    bytesRead = socket.bytesRead;
    timer.refresh();
  }, idleMs);
  // A body nobody reads or closes must not keep the process alive.
  timer.unref();
  body.once('close', () => clearTimeout(timer));
  return body;
}
