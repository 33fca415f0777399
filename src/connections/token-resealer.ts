import type { TokenCipher } from '../crypto/token-sealing.js';
import { sealedKeyId } from '../crypto/token-sealing.js';
import type { Database } from '../db/database.js';
import { openIntegrationToken, sealIntegrationToken, type IntegrationTokenColumn } from './integration-token-columns.js';

export interface ResealProgress {
  done: number;
  total: number;
}

export interface ResealOptions {
  /** Rows per transaction. @default 100 */
  batchSize?: number;
  onProgress?: (progress: ResealProgress) => void;
}

interface SealedRow {
  id: string;
  access_token: string | null;
  refresh_token: string | null;
}

/**
 * Re-seals every stored token whose key is not the key ring's current one (after a key was
 * put first in INTEGRATION_ENCRYPTION_KEYS), so the old key can then be retired. Rows are
 * locked while re-sealed, so a concurrent refresh (which locks the same row) never loses its
 * write; batches keep each transaction short. Returns the number of rows re-sealed.
 */
export async function resealTokens(database: Database, cipher: TokenCipher, options: ResealOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const currentKey = cipher.keyRing.current.id;
  const [{ total } = { total: 0 }] = await database.asSystem((em) =>
    em.execute<{ total: number }[]>(
      `select count(*)::int as total from integrations
        where (access_token is not null or refresh_token is not null) and token_key_id is distinct from ?`,
      [currentKey],
    ),
  );
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  options.onProgress?.({ done, total });
  for (;;) {
    const batch = await database.asSystem(async (em) => {
      const rows = await em.execute<SealedRow[]>(
        `select id, access_token, refresh_token from integrations
          where id > ? and (access_token is not null or refresh_token is not null) and token_key_id is distinct from ?
          order by id limit ? for update`,
        [after, currentKey, batchSize],
      );
      for (const row of rows) {
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
      }
      return rows;
    });
    if (batch.length === 0) break;
    done += batch.length;
    after = batch.at(-1)!.id;
    options.onProgress?.({ done, total: Math.max(total, done) });
  }
  return done;
}
