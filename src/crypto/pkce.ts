import { createHash, randomBytes } from 'node:crypto';
import { base64URLEncode } from './base64url.js';

export interface PKCEPair {
  /** 43 base64url characters (32 random bytes): RFC 7636 §4.1. Never leaves the server. */
  codeVerifier: string;
  /** BASE64URL(SHA256(verifier)): RFC 7636 §4.2. */
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

/** S256 challenge for a verifier (RFC 7636 §4.2). */
export const computeCodeChallenge = (codeVerifier: string): string =>
  base64URLEncode(createHash('sha256').update(codeVerifier, 'ascii').digest());

/**
 * A fresh PKCE pair. Async to keep the seed's signature (`await generatePKCE()`), which
 * allows a WebCrypto implementation; Node's hash is synchronous.
 */
export async function generatePKCE(): Promise<PKCEPair> {
  const codeVerifier = base64URLEncode(randomBytes(32));
  return { codeVerifier, codeChallenge: computeCodeChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}
