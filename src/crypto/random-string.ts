import { randomBytes } from 'node:crypto';

/** The 64 URL-safe characters of base64url: RFC 3986 "unreserved", so no escaping anywhere. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A cryptographically random string of exactly `length` URL-safe characters (6 bits each:
 * `generateRandomString(43)` carries 258 bits). 64 divides 256, so masking a random byte to
 * 6 bits keeps every character uniformly distributed.
 */
export function generateRandomString(length: number): string {
  if (!Number.isInteger(length) || length < 1) throw new RangeError('length must be a positive integer');
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte & 63];
  return out;
}
