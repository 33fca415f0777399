import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { base64URLDecode, base64URLEncode } from './base64url.js';
import type { EncryptionKey, KeyRing } from './key-ring.js';

/** Which stored value a sealed string belongs to. Bound into the GCM tag as associated data. */
export interface SealContext {
  /** The integrations row (or oauth_states hash) that owns the value. */
  ownerId: string;
  /** The column, e.g. `access_token`, `refresh_token`, `code_verifier`. */
  column: string;
}

/** Thrown when a sealed value cannot be opened: tampered, moved to another row, or unknown key. */
export class TokenSealError extends Error {
  override readonly name = 'TokenSealError';
}

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit IVs, fresh for every seal.
const TAG_BYTES = 16;

/**
 * Associated data: the format version, key id, owner and column. A sealed access token copied
 * into another row's column, or into the refresh-token column of its own row, fails to open.
 */
function associatedData(keyId: string, context: SealContext | undefined): Buffer {
  return Buffer.from(JSON.stringify([VERSION, keyId, context?.ownerId ?? '', context?.column ?? '']), 'utf8');
}

const secretKeys = new WeakMap<EncryptionKey, KeyObject>();

/**
 * The key as a KeyObject, made once per key: a cipher given raw bytes makes a KeyObject of them
 * first, two thirds of the cost of opening a token (12 µs against 4), which every proxied call does.
 */
function secretKeyOf(entry: EncryptionKey): KeyObject {
  let key = secretKeys.get(entry);
  if (key === undefined) {
    key = createSecretKey(entry.key);
    secretKeys.set(entry, key);
  }
  return key;
}

/**
 * AES-256-GCM with the key ring's current key. Output: `v1.<keyId>.<iv>.<ciphertext>.<tag>`
 * (base64url parts), so the key that sealed a value is known without trying each key.
 */
export function sealToken(keyRing: KeyRing, plaintext: string, context?: SealContext): string {
  const { id } = keyRing.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secretKeyOf(keyRing.current), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, id, base64URLEncode(iv), base64URLEncode(ciphertext), base64URLEncode(cipher.getAuthTag())].join('.');
}

/** The id of the key that sealed `sealed`, or undefined when it is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}

export function openToken(keyRing: KeyRing, sealed: string, context?: SealContext): string {
  const parts = sealed.split('.');
  const [version, keyId, iv, ciphertext, tag] = parts;
  if (parts.length !== 5 || version !== VERSION || !keyId || !iv || ciphertext === undefined || !tag) {
    throw new TokenSealError('not a sealed value');
  }
  const entry = keyRing.get(keyId);
  if (!entry) throw new TokenSealError(`sealed with unknown key "${keyId}"`);
  const ivBytes = base64URLDecode(iv);
  const tagBytes = base64URLDecode(tag);
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new TokenSealError('malformed sealed value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKeyOf(entry), ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(keyId, context));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(base64URLDecode(ciphertext)), decipher.final()]).toString('utf8');
  } catch {
    // Deliberately vague: which check failed is no business of whoever holds the value.
    throw new TokenSealError('sealed value failed authentication');
  }
}

/** `sealToken`/`openToken` bound to one key ring: what services receive. */
export interface TokenCipher {
  readonly keyRing: KeyRing;
  seal(plaintext: string, context?: SealContext): string;
  open(sealed: string, context?: SealContext): string;
}

export const createTokenCipher = (keyRing: KeyRing): TokenCipher => ({
  keyRing,
  seal: (plaintext, context) => sealToken(keyRing, plaintext, context),
  open: (sealed, context) => openToken(keyRing, sealed, context),
});
