import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openIntegrationToken, sealIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { resealTokens, type ResealProgress } from '../../src/connections/token-resealer.js';
import { createKeyRing } from '../../src/crypto/key-ring.js';
import { createTokenCipher, sealedKeyId } from '../../src/crypto/token-sealing.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { queryAsSuperuser } from './connection-harness.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('re-sealing tokens after a key rotation', () => {
  it('re-seals every token sealed with an older key, in batches, reporting progress', async () => {
    const oldKey = { id: 'old', key: randomBytes(32) };
    const newKey = { id: 'new', key: randomBytes(32) };
    const before = createTokenCipher(createKeyRing([oldKey]));
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const id = randomUUID();
      ids.push(id);
      await queryAsSuperuser(
        db.url,
        `insert into integrations (id, organization_id, provider_id, provider_name, access_token, refresh_token, token_key_id)
         values ($1, $2, 'google', 'Google Workspace', $3, $4, 'old')`,
        [
          id,
          newOrganizationId(),
          sealIntegrationToken(before, id, 'access_token', `access-${index}`),
          index % 2 === 0 ? sealIntegrationToken(before, id, 'refresh_token', `refresh-${index}`) : null,
        ],
      );
    }

    const rotated = createTokenCipher(createKeyRing([newKey, oldKey]));
    const progress: ResealProgress[] = [];
    expect(await resealTokens(db.database, rotated, { batchSize: 3, onProgress: (p) => progress.push(p) })).toBe(7);
    expect(progress.at(-1)).toEqual({ done: 7, total: 7, integrations: { done: 7, total: 7 }, webhookEndpoints: { done: 0, total: 0 } });
    expect(progress.map((p) => p.done)).toEqual([0, 3, 6, 7]);

    // Only the new key is needed from now on.
    const retired = createTokenCipher(createKeyRing([newKey]));
    const rows = await queryAsSuperuser<{ id: string; access_token: string; refresh_token: string | null; token_key_id: string }>(
      db.url,
      'select id, access_token, refresh_token, token_key_id from integrations where id = any($1::uuid[])',
      [ids],
    );
    for (const row of rows) {
      const index = ids.indexOf(row.id);
      expect(row.token_key_id).toBe('new');
      expect(sealedKeyId(row.access_token)).toBe('new');
      expect(openIntegrationToken(retired, row.id, 'access_token', row.access_token)).toBe(`access-${index}`);
      if (index % 2 === 0) expect(openIntegrationToken(retired, row.id, 'refresh_token', row.refresh_token!)).toBe(`refresh-${index}`);
      else expect(row.refresh_token).toBeNull();
    }
    // Nothing left to do on a second run.
    expect(await resealTokens(db.database, rotated)).toBe(0);
  });
});
