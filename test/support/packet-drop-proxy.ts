import { createServer, connect, type Server, type Socket } from 'node:net';

export interface PacketDropProxy {
  /** `host:port` clients connect to. */
  readonly port: number;
  /** Silent loss from now on: bytes either way are dropped, sockets stay open (no FIN, no RST). */
  cut(): void;
  /** Forwarding resumes; what was dropped is gone. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy that can lose the network silently, as a cable pulled or a firewall dropping
 * packets does: while cut, nothing passes in either direction and nobody is told. New
 * connections are still accepted (the client's SYN is answered by the proxy) and their upstream
 * is opened, but their bytes go nowhere, like a connect whose packets vanish after the handshake.
 * Bytes are dropped, not held back: a connection used during the cut never recovers, as a real
 * one does not once TCP has given up retransmitting. Only a connection idle through the cut works
 * again after it.
 */
export async function startPacketDropProxy(target: { host: string; port: number }): Promise<PacketDropProxy> {
  let cut = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = connect(target.port, target.host);
    track(upstream);
    // Bytes for a side that closed during the cut get a reset, as its host would answer them.
    client.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (upstream.destroyed) client.destroy();
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (client.destroyed) upstream.destroy();
      else client.write(chunk);
    });
    // A close on one side is passed on only while the network works: a lost FIN is lost too.
    client.on('close', () => {
      if (!cut) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!cut) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      cut = true;
    },
    restore: () => {
      cut = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
