import type { TokenCipher } from '../crypto/token-sealing.js';
import { openIntegrationToken } from './integration-token-columns.js';

/**
 * The access token last opened for each integration, with the sealed value it came from. Opening
 * is deterministic: the same sealed value of the same row and column always opens to the same
 * token (AES-GCM, the row id and column bound in as associated data), so a stored value that has
 * not changed since is answered from here, and any change (a refresh, a reseal) is a miss. This
 * spares the decryption that every proxied call of a busy integration would repeat.
 */
export class OpenedAccessTokens {
  readonly #opened = new Map<string, { sealed: string; token: string }>();

  constructor(
    private readonly cipher: TokenCipher,
    /** Most integrations remembered; the oldest goes first. */
    private readonly maxEntries = 1_000,
  ) {}

  /** `sealed` (the row's `access_token` column) opened. @throws TokenSealError as `openIntegrationToken` */
  open(integrationId: string, sealed: string): string {
    const known = this.#opened.get(integrationId);
    if (known?.sealed === sealed) return known.token;
    const token = openIntegrationToken(this.cipher, integrationId, 'access_token', sealed);
    this.#opened.delete(integrationId);
    // Map order is insertion order: the first key is the oldest entry.
    if (this.#opened.size >= this.maxEntries) this.#opened.delete(this.#opened.keys().next().value!);
    this.#opened.set(integrationId, { sealed, token });
    return token;
  }
}
