/** One AES-256 key and the id stored next to everything it seals. */
export interface EncryptionKey {
  /** Short identifier written into each sealed value (letters, digits, `-`, `_`). */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/**
 * The keys that may open sealed values. The first key seals; every key opens, so a key can
 * be rotated in (put it first) while values sealed with older keys stay readable until
 * `npm run reseal-tokens` has re-sealed them.
 */
export interface KeyRing {
  readonly current: EncryptionKey;
  get(id: string): EncryptionKey | undefined;
  readonly ids: readonly string[];
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function createKeyRing(keys: readonly EncryptionKey[]): KeyRing {
  const [current] = keys;
  if (!current) throw new Error('the key ring needs at least one encryption key');
  const byId = new Map<string, EncryptionKey>();
  for (const key of keys) {
    if (!KEY_ID.test(key.id)) throw new Error(`encryption key id "${key.id}" must match ${KEY_ID}`);
    if (key.key.length !== 32) throw new Error(`encryption key "${key.id}" must be 32 bytes`);
    if (byId.has(key.id)) throw new Error(`encryption key id "${key.id}" appears twice`);
    byId.set(key.id, key);
  }
  return { current, get: (id) => byId.get(id), ids: [...byId.keys()] };
}
