import type { TokenCipher } from '../crypto/token-sealing.js';

/** The sealed columns of `integrations`. The column name is part of each value's AAD. */
export type IntegrationTokenColumn = 'access_token' | 'refresh_token';

/** Seals a token for one row and column: it opens nowhere else (see `sealToken`). */
export const sealIntegrationToken = (cipher: TokenCipher, integrationId: string, column: IntegrationTokenColumn, token: string): string =>
  cipher.seal(token, { ownerId: integrationId, column });

export const openIntegrationToken = (cipher: TokenCipher, integrationId: string, column: IntegrationTokenColumn, sealed: string): string =>
  cipher.open(sealed, { ownerId: integrationId, column });
