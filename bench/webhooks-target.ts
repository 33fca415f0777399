/**
 * The server under test for `bench/webhooks.ts`, in a process of its own (the load generator must
 * not share its event loop). Mode `bare`: a plain node:http handler doing one INSERT per request,
 * the floor any webhook receiver pays. Mode `service`: the real `/webhooks/:providerId` route with
 * the webhook worker in the same process, as a default deployment runs it.
 * Prints `ready <port>` when listening.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { createKeyRing, createTokenCipher } from '../src/crypto/index.js';
import { createDatabase } from '../src/db/database.js';
import { RedisPubSub } from '../src/pubsub/redis-pubsub.js';
import { createWebhookRouter } from '../src/webhooks/http/webhook-router.js';
import { createWebhookPipeline } from '../src/webhooks/webhook-pipeline.js';

export interface TargetOptions {
  mode: 'bare' | 'service';
  databaseUrl: string;
  /** Pub/sub (always) and, with `queue: 'bullmq'`, the queue. */
  redisUrl: string;
  redisPrefix: string;
  queue: 'database' | 'bullmq';
  slackSigningSecret: string;
}

const options = JSON.parse(process.argv[2]!) as TargetOptions;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let port: number;
if (options.mode === 'bare') {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
  port = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      pool.query('insert into bench_bare_events (payload) values ($1)', [Buffer.concat(chunks).toString('utf8')]).then(
        () => res.writeHead(200).end(),
        () => res.writeHead(503).end(),
      );
    });
  });
} else {
  const database = await createDatabase({ databaseUrl: options.databaseUrl, migrate: false });
  const pubsub = new RedisPubSub({ url: options.redisUrl, prefix: options.redisPrefix });
  const pipeline = createWebhookPipeline({
    database,
    pubsub,
    cipher: createTokenCipher(createKeyRing([{ id: 'bench', key: randomBytes(32) }])),
    redisUrl: options.queue === 'bullmq' ? options.redisUrl : undefined,
    bullmq: { queueName: 'bench', prefix: options.redisPrefix },
    slackSigningSecret: options.slackSigningSecret,
  });
  await pipeline.startWorker();
  const app = express();
  app.use(createWebhookRouter({ ingest: pipeline.ingest }));
  port = await listen(app);
}
process.stdout.write(`ready ${port}\n`);
// bench/webhooks.ts ends targets with SIGKILL; SIGTERM (bench/webhooks-profile.ts) exits cleanly so --cpu-prof is written.
process.on('SIGTERM', () => process.exit(0));
