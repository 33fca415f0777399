import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createKeyRing } from '../../src/crypto/key-ring.js';
import { openToken, sealToken, sealedKeyId, TokenSealError } from '../../src/crypto/token-sealing.js';
import { configureEncryption, decrypt, encrypt } from '../../src/crypto/encrypt.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const ring = createKeyRing([key('k1')]);
const rowA = { ownerId: '5b0f7a36-0000-4000-8000-000000000001', column: 'access_token' };
const rowB = { ownerId: '5b0f7a36-0000-4000-8000-000000000002', column: 'access_token' };

/** Flips one bit of the base64url part `index` (2 = IV, 3 = ciphertext, 4 = tag). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('token sealing (AES-256-GCM)', () => {
  it('round-trips, with the key id in the sealed string and a fresh IV every time', () => {
    const token = 'ya29.a0AfH6SMB-secret-token-ü';
    const first = sealToken(ring, token, rowA);
    const second = sealToken(ring, token, rowA);
    expect(first).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(first).not.toBe(second);
    expect(first.split('.')[2]).not.toBe(second.split('.')[2]);
    expect(first).not.toContain('secret-token');
    expect(sealedKeyId(first)).toBe('k1');
    expect(openToken(ring, first, rowA)).toBe(token);
    expect(openToken(ring, second, rowA)).toBe(token);
  });

  it.each([
    ['IV', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('refuses a tampered %s', (_name, index) => {
    const sealed = sealToken(ring, 'refresh-token-value', rowA);
    expect(() => openToken(ring, tamper(sealed, index), rowA)).toThrow(TokenSealError);
  });

  it('refuses a value moved to another row or another column (AAD)', () => {
    const sealed = sealToken(ring, 'access-token-of-row-a', rowA);
    expect(() => openToken(ring, sealed, rowB)).toThrow(TokenSealError);
    expect(() => openToken(ring, sealed, { ...rowA, column: 'refresh_token' })).toThrow(TokenSealError);
    expect(() => openToken(ring, sealed)).toThrow(TokenSealError);
  });

  it('refuses a relabelled key id, a truncated value and an unknown key without saying which check failed', () => {
    const sealed = sealToken(ring, 'x', rowA);
    const other = createKeyRing([key('k2'), ...[ring.current]]);
    expect(() => openToken(other, sealed.replace('.k1.', '.k2.'), rowA)).toThrow('sealed value failed authentication');
    expect(() => openToken(ring, sealed.split('.').slice(0, 4).join('.'), rowA)).toThrow('not a sealed value');
    expect(() => openToken(createKeyRing([key('k9')]), sealed, rowA)).toThrow('unknown key "k1"');
  });

  it('rotates: the first key seals, older keys still open what they sealed', () => {
    const old = createKeyRing([key('old')]);
    const sealedWithOld = sealToken(old, 'legacy-token', rowA);
    const rotated = createKeyRing([key('new'), old.current]);
    expect(openToken(rotated, sealedWithOld, rowA)).toBe('legacy-token');
    const resealed = sealToken(rotated, openToken(rotated, sealedWithOld, rowA), rowA);
    expect(sealedKeyId(resealed)).toBe('new');
    // Once the old key is retired, only re-sealed values still open.
    const retired = createKeyRing([rotated.current]);
    expect(openToken(retired, resealed, rowA)).toBe('legacy-token');
    expect(() => openToken(retired, sealedWithOld, rowA)).toThrow(TokenSealError);
  });

  it('refuses bad key rings', () => {
    expect(() => createKeyRing([])).toThrow();
    expect(() => createKeyRing([{ id: 'short', key: randomBytes(16) }])).toThrow('32 bytes');
    expect(() => createKeyRing([{ id: 'has.dot', key: randomBytes(32) }])).toThrow();
    expect(() => createKeyRing([key('a'), key('a')])).toThrow('twice');
  });

  it('offers the seed’s encrypt/decrypt over the configured key ring, with an optional context', async () => {
    configureEncryption([key('seed')]);
    const sealed = await encrypt('xoxb-slack-bot-token');
    expect(sealed).toMatch(/^v1\.seed\./);
    expect(await decrypt(sealed)).toBe('xoxb-slack-bot-token');
    const bound = await encrypt('xoxb-slack-bot-token', rowA);
    expect(await decrypt(bound, rowA)).toBe('xoxb-slack-bot-token');
    await expect(decrypt(bound, rowB)).rejects.toThrow(TokenSealError);
  });
});
