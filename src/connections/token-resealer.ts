import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-sealing.js';
import { sealedKeyId } from '../crypto/token-sealing.js';
import type { Database } from '../db/database.js';
import { webhookSecretSealContext } from '../webhooks/webhook-directory.js';
import { openIntegrationToken, sealIntegrationToken, type IntegrationTokenColumn } from './integration-token-columns.js';

export interface ResealTableProgress {
  done: number;
  total: number;
}

export interface ResealProgress {
  /** Rows re-sealed so far, every table together. */
  done: number;
  /** Rows to re-seal, every table together (grows if rows were sealed with an old key meanwhile). */
  total: number;
  /** `integrations` rows (access and refresh tokens). */
  integrations: ResealTableProgress;
  /** `webhook_endpoints` rows (endpoint secrets). */
  webhookEndpoints: ResealTableProgress;
}

export interface ResealOptions {
  /** Rows per transaction. @default 100 */
  batchSize?: number;
  onProgress?: (progress: ResealProgress) => void;
}

interface SealedIntegrationRow {
  id: string;
  access_token: string | null;
  refresh_token: string | null;
}

interface SealedEndpointRow {
  id: string;
  provider: string;
  external_id: string;
  secret: string;
}

/**
 * A sealed value is `v1.<keyId>.<iv>.<ciphertext>.<tag>`: its second part names the key that sealed
 * it. Selecting on that (and not only on `integrations.token_key_id`) finds every value that still
 * needs an old key, whatever wrote it: a reconnect that kept the old refresh token, a row written
 * before refreshes re-sealed the kept one, a webhook secret (which has no key id column).
 */
const sealedWithOtherKey = (column: string): string => `(${column} is not null and split_part(${column}, '.', 2) <> ?)`;

/** Rows with a token sealed with another key than `?`, or stamped with another key. Takes the key id 3 times. */
const INTEGRATIONS_TO_RESEAL = `(access_token is not null or refresh_token is not null)
  and (token_key_id is distinct from ? or ${sealedWithOtherKey('access_token')} or ${sealedWithOtherKey('refresh_token')})`;

/** Endpoints whose secret is sealed with another key than `?`. NULL secrets (Asana before its handshake) have nothing to re-seal. */
const ENDPOINTS_TO_RESEAL = sealedWithOtherKey('secret');

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Walks one table in id order, `batchSize` rows per transaction, each batch locked
 * (`FOR UPDATE`) while re-sealed, so a concurrent writer of the same row (a token refresh, a
 * webhook endpoint registration) waits and never loses its write. Returns the rows re-sealed.
 */
async function resealTable<Row extends { id: string }>(
  database: Database,
  batchSize: number,
  select: (em: EntityManager, after: string, limit: number) => Promise<Row[]>,
  reseal: (em: EntityManager, row: Row) => Promise<void>,
  onBatch: (rows: number) => void,
): Promise<number> {
  let done = 0;
  let after = NIL_UUID;
  for (;;) {
    const batch = await database.asSystem(async (em) => {
      const rows = await select(em, after, batchSize);
      for (const row of rows) await reseal(em, row);
      return rows;
    });
    if (batch.length === 0) break;
    done += batch.length;
    after = batch.at(-1)!.id;
    onBatch(batch.length);
  }
  return done;
}

/**
 * Re-seals every stored secret sealed with a key other than the key ring's current one (after a
 * key was put first in INTEGRATION_ENCRYPTION_KEYS), so the old key can then be retired: the
 * integrations' access and refresh tokens (and their `token_key_id`), then the webhook endpoints'
 * secrets. Rows are locked while re-sealed, so a concurrent refresh or registration (which locks
 * the same row) never loses its write; batches keep each transaction short. Returns the number of
 * rows re-sealed, both tables together (the last progress report has the breakdown).
 */
export async function resealTokens(database: Database, cipher: TokenCipher, options: ResealOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const currentKey = cipher.keyRing.current.id;

  const [totals] = await database.asSystem((em) =>
    em.execute<{ integrations: number; endpoints: number }[]>(
      `select (select count(*)::int from integrations where ${INTEGRATIONS_TO_RESEAL}) as integrations,
              (select count(*)::int from webhook_endpoints where ${ENDPOINTS_TO_RESEAL}) as endpoints`,
      [currentKey, currentKey, currentKey, currentKey],
    ),
  );
  const integrations = { done: 0, total: totals?.integrations ?? 0 };
  const webhookEndpoints = { done: 0, total: totals?.endpoints ?? 0 };
  const report = (): void =>
    options.onProgress?.({
      done: integrations.done + webhookEndpoints.done,
      total: integrations.total + webhookEndpoints.total,
      integrations: { ...integrations },
      webhookEndpoints: { ...webhookEndpoints },
    });
  /** A row sealed with an old key after the count is re-sealed too: the total grows to match. */
  const advance = (table: ResealTableProgress, rows: number): void => {
    table.done += rows;
    table.total = Math.max(table.total, table.done);
    report();
  };
  report();

  await resealTable<SealedIntegrationRow>(
    database,
    batchSize,
    (em, after, limit) =>
      em.execute<SealedIntegrationRow[]>(
        `select id, access_token, refresh_token from integrations
          where id > ? and ${INTEGRATIONS_TO_RESEAL}
          order by id limit ? for update`,
        [after, currentKey, currentKey, currentKey, limit],
      ),
    async (em, row) => {
      const reseal = (column: IntegrationTokenColumn, sealed: string | null): string | null =>
        sealed === null || sealedKeyId(sealed) === currentKey
          ? sealed
          : sealIntegrationToken(cipher, row.id, column, openIntegrationToken(cipher, row.id, column, sealed));
      await em.execute('update integrations set access_token = ?, refresh_token = ?, token_key_id = ? where id = ?', [
        reseal('access_token', row.access_token),
        reseal('refresh_token', row.refresh_token),
        currentKey,
        row.id,
      ]);
    },
    (rows) => advance(integrations, rows),
  );

  await resealTable<SealedEndpointRow>(
    database,
    batchSize,
    (em, after, limit) =>
      em.execute<SealedEndpointRow[]>(
        `select id, provider, external_id, secret from webhook_endpoints
          where id > ? and ${ENDPOINTS_TO_RESEAL}
          order by id limit ? for update`,
        [after, currentKey, limit],
      ),
    async (em, row) => {
      // The same AAD as the webhook directory seals with: the endpoint's provider and external id.
      const context = webhookSecretSealContext(row.provider, row.external_id);
      await em.execute('update webhook_endpoints set secret = ? where id = ?', [cipher.seal(cipher.open(row.secret, context), context), row.id]);
    },
    (rows) => advance(webhookEndpoints, rows),
  );

  return integrations.done + webhookEndpoints.done;
}
