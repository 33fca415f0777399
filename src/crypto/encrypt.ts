import type { EncryptionKey } from './key-ring.js';
import { createKeyRing } from './key-ring.js';
import { createTokenCipher, type SealContext, type TokenCipher } from './token-sealing.js';

let defaultCipher: TokenCipher | undefined;

/**
 * Sets the key ring behind the seed's `encrypt`/`decrypt`. The composition root calls it once
 * with `config.encryptionKeys`; services get a `TokenCipher` passed in instead.
 */
export function configureEncryption(keys: readonly EncryptionKey[]): void {
  defaultCipher = createTokenCipher(createKeyRing(keys));
}

function cipher(): TokenCipher {
  if (!defaultCipher) throw new Error('encryption is not configured: call configureEncryption(config.encryptionKeys) at start-up');
  return defaultCipher;
}

/** The seed's `encrypt`: AES-256-GCM seal with the current key, optionally bound to a row and column. */
export async function encrypt(plaintext: string, context?: SealContext): Promise<string> {
  return cipher().seal(plaintext, context);
}

/** The seed's `decrypt`: opens what `encrypt` (or `sealToken`) produced with the same context. */
export async function decrypt(sealed: string, context?: SealContext): Promise<string> {
  return cipher().open(sealed, context);
}
