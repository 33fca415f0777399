import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { base64URLEncode } from '../../src/crypto/base64url.js';
import { computeCodeChallenge, generatePKCE } from '../../src/crypto/pkce.js';
import { generateRandomString } from '../../src/crypto/random-string.js';

const UNRESERVED = /^[A-Za-z0-9_-]+$/;

describe('PKCE (RFC 7636)', () => {
  it('makes 43-character base64url verifiers and their S256 challenges, over many samples', async () => {
    const verifiers = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const { codeVerifier, codeChallenge, codeChallengeMethod } = await generatePKCE();
      expect(codeVerifier).toHaveLength(43);
      expect(codeVerifier).toMatch(UNRESERVED);
      expect(codeChallenge).toHaveLength(43);
      expect(codeChallenge).toMatch(UNRESERVED);
      expect(codeChallengeMethod).toBe('S256');
      expect(codeChallenge).toBe(createHash('sha256').update(codeVerifier).digest('base64url'));
      verifiers.add(codeVerifier);
      for (const character of codeVerifier) seen.add(character);
    }
    expect(verifiers.size).toBe(2000);
    // The whole 64-character alphabet shows up: nothing is systematically excluded.
    expect(seen.size).toBe(64);
  });

  it('matches the RFC 7636 appendix B example', () => {
    expect(computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('random strings and base64url', () => {
  it('generateRandomString(n) gives n URL-safe characters, spread over the whole alphabet', () => {
    for (const length of [1, 16, 32, 43, 128]) expect(generateRandomString(length)).toHaveLength(length);
    const counts = new Map<string, number>();
    const sample = generateRandomString(64_000);
    expect(sample).toMatch(UNRESERVED);
    for (const character of sample) counts.set(character, (counts.get(character) ?? 0) + 1);
    expect(counts.size).toBe(64);
    // 1000 expected per character; a biased mapping (e.g. modulo of a non-divisor) would stray far.
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(200);
    expect(() => generateRandomString(0)).toThrow(RangeError);
  });

  it('base64URLEncode has no padding and no + or /', () => {
    expect(base64URLEncode(Buffer.from([0xfb, 0xff, 0xfe]))).toBe('-__-');
    expect(base64URLEncode(Buffer.from('data'))).toBe('ZGF0YQ');
  });
});
