import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { OpenedAccessTokens } from '../../src/connections/opened-access-tokens.js';
import { sealIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { createKeyRing } from '../../src/crypto/key-ring.js';
import { createTokenCipher, TokenSealError, type TokenCipher } from '../../src/crypto/token-sealing.js';

const ROW_A = '5b0f7a36-0000-4000-8000-00000000000a';
const ROW_B = '5b0f7a36-0000-4000-8000-00000000000b';
const cipher = createTokenCipher(createKeyRing([{ id: 'k1', key: randomBytes(32) }]));

/** The real cipher, counting how often a value is actually opened. */
function countingCipher(): TokenCipher & { opened: number } {
  const counting = {
    keyRing: cipher.keyRing,
    seal: cipher.seal,
    opened: 0,
    open: (sealed: string, context?: Parameters<TokenCipher['open']>[1]) => {
      counting.opened += 1;
      return cipher.open(sealed, context);
    },
  };
  return counting;
}

describe('OpenedAccessTokens', () => {
  it('opens an unchanged sealed value once, and a changed one (a refresh) again', () => {
    const counting = countingCipher();
    const tokens = new OpenedAccessTokens(counting);
    const first = sealIntegrationToken(cipher, ROW_A, 'access_token', 'ya29.first');
    expect([tokens.open(ROW_A, first), tokens.open(ROW_A, first)]).toEqual(['ya29.first', 'ya29.first']);
    expect(counting.opened).toBe(1);
    const refreshed = sealIntegrationToken(cipher, ROW_A, 'access_token', 'ya29.second');
    expect(tokens.open(ROW_A, refreshed)).toBe('ya29.second');
    expect(counting.opened).toBe(2);
  });

  it('refuses what would not open, whatever it remembers of the row', () => {
    const tokens = new OpenedAccessTokens(cipher);
    const sealedA = sealIntegrationToken(cipher, ROW_A, 'access_token', 'ya29.a');
    const sealedB = sealIntegrationToken(cipher, ROW_B, 'access_token', 'ya29.b');
    expect(tokens.open(ROW_A, sealedA)).toBe('ya29.a');
    expect(tokens.open(ROW_B, sealedB)).toBe('ya29.b');
    // Row B's value copied into row A, and A's refresh-token column value: neither opens as A's access token.
    expect(() => tokens.open(ROW_A, sealedB)).toThrow(TokenSealError);
    expect(() => tokens.open(ROW_A, sealIntegrationToken(cipher, ROW_A, 'refresh_token', 'refresh'))).toThrow(TokenSealError);
    expect(() => tokens.open(ROW_A, `${sealedA.slice(0, -2)}AA`)).toThrow(TokenSealError);
  });

  it('remembers at most maxEntries integrations, dropping the oldest first', () => {
    const counting = countingCipher();
    const tokens = new OpenedAccessTokens(counting, 2);
    const rows = [ROW_A, ROW_B, '5b0f7a36-0000-4000-8000-00000000000c'];
    const sealed = rows.map((row) => sealIntegrationToken(cipher, row, 'access_token', `token-${row}`));
    rows.forEach((row, index) => tokens.open(row, sealed[index]!));
    expect(counting.opened).toBe(3);
    tokens.open(rows[2]!, sealed[2]!);
    tokens.open(rows[1]!, sealed[1]!);
    expect(counting.opened).toBe(3);
    tokens.open(rows[0]!, sealed[0]!);
    expect(counting.opened).toBe(4);
  });
});
