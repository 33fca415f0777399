import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A connection string the ordinary `pg` driver (and so MikroORM) can use. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL compiled to WASM (PGlite), served over the wire protocol on loopback so the same
 * driver, migrations, row-level security and `FOR UPDATE SKIP LOCKED` run here as in production.
 * Data lives under `<dataDir>/pglite` and survives restarts.
 *
 * PGlite is single-connection; pglite-socket multiplexes clients onto it, so the pool in front
 * of it should stay small.
 */
/** PostgreSQL's shared buffers inside PGlite (startParams: not written into the data directory). */
const SHARED_BUFFERS = '16MB';

export async function startEmbeddedPostgres(dataDir: string, maxConnections = 8): Promise<EmbeddedPostgres> {
  const directory = path.resolve(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const db = await PGlite.create(directory, {
    // PostgreSQL's default 128 MB of shared buffers lives in PGlite's WebAssembly memory, resident
    // once touched; a development database fits in far less (npm run bench:startup).
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
  });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
