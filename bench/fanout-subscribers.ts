/**
 * graphql-ws subscribers for `bench/fanout.ts`, in a process of their own (several run at once, so
 * receiving thousands of frames does not queue behind one event loop). Speaks
 * `graphql-transport-ws` over `ws` directly and notes, per COMPLETED frame, the event id and the
 * time it arrived (`performance.timeOrigin + performance.now()`, comparable across processes).
 * Frames are matched as bytes, not parsed: the subscribers must cost little next to the server.
 */
import WebSocket from 'ws';

export interface OpenRequest {
  type: 'open';
  /** graphql-ws URL and how many subscribers to open on it. */
  targets: { url: string; count: number }[];
  token: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface ReportRequest {
  type: 'report';
  /** Event id → when its webhook was posted. */
  postedAt: Record<string, number>;
  /** Event id → when its COMPLETED was seen on Redis (by the benchmark's own subscriber). */
  redisAt: Record<string, number>;
}

export interface Report {
  type: 'report';
  /** Milliseconds from post to COMPLETED, one per (event, subscriber) that arrived. */
  latencies: number[];
  /** Milliseconds from COMPLETED on Redis to its arrival, likewise. */
  fromRedis: number[];
  /** COMPLETED frames per posted event. */
  received: Record<string, number>;
  closed: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const COMPLETED = Buffer.from('"status":"COMPLETED"');
const ID_PREFIX = Buffer.from('"webhookEventUpdated":{"id":"');
const UUID_LENGTH = 36;

const arrivals: { id: string; at: number }[] = [];
const sockets: WebSocket[] = [];
let closed = 0;

function open(url: string, request: OpenRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    sockets.push(socket);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${request.token}` } })));
    socket.on('message', (data: Buffer) => {
      if (data.indexOf(COMPLETED) >= 0) {
        const start = data.indexOf(ID_PREFIX);
        if (start >= 0) arrivals.push({ id: data.toString('latin1', start + ID_PREFIX.length, start + ID_PREFIX.length + UUID_LENGTH), at: now() });
        return;
      }
      if (data.indexOf('"connection_ack"') >= 0) {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: request.query, variables: request.variables } }));
        resolve();
      } else if (data.indexOf('"ping"') >= 0) {
        socket.send('{"type":"pong"}');
      }
    });
    socket.on('error', reject);
    socket.on('close', () => closed++);
  });
}

process.on('message', (message: OpenRequest | ReportRequest) => {
  void (async () => {
    if (message.type === 'open') {
      const urls = message.targets.flatMap((target) => Array.from({ length: target.count }, () => target.url));
      // A hundred handshakes at a time: the server authenticates each one.
      for (let start = 0; start < urls.length; start += 100) await Promise.all(urls.slice(start, start + 100).map((url) => open(url, message)));
      process.send!({ type: 'opened', count: urls.length });
      return;
    }
    const latencies: number[] = [];
    const fromRedis: number[] = [];
    const received: Record<string, number> = {};
    for (const arrival of arrivals) {
      const postedAt = message.postedAt[arrival.id];
      if (postedAt === undefined) continue;
      latencies.push(arrival.at - postedAt);
      const redisAt = message.redisAt[arrival.id];
      if (redisAt !== undefined) fromRedis.push(arrival.at - redisAt);
      received[arrival.id] = (received[arrival.id] ?? 0) + 1;
    }
    const report: Report = { type: 'report', latencies, fromRedis, received, closed };
    process.send!(report, () => {
      for (const socket of sockets) socket.terminate();
      process.exit(0);
    });
  })();
});
process.send!({ type: 'started' });
