import { randomUUID } from 'node:crypto';
import type { App } from '../../../src/app.js';
import { sealIntegrationToken } from '../../../src/connections/integration-token-columns.js';
import { createKeyRing } from '../../../src/crypto/key-ring.js';
import { createTokenCipher } from '../../../src/crypto/token-sealing.js';

export interface ConnectedIntegrationSpec {
  organizationId: string;
  providerId: string;
  accessToken: string;
  refreshToken?: string;
  /** @default 'connected' */
  status?: 'connected' | 'disconnected' | 'error';
  needsReauthorization?: boolean;
  /** The connection's params (a Shopify shop, a Xero tenant learned while connecting). @default {} */
  connectionParams?: Record<string, string>;
}

/**
 * An integration as a completed connection leaves it: tokens sealed with the app's key ring
 * (exactly as `completeConnection` stores them), valid for an hour. Returns its id.
 */
export async function seedConnectedIntegration(app: App, spec: ConnectedIntegrationSpec): Promise<string> {
  const cipher = createTokenCipher(createKeyRing(app.config.encryptionKeys));
  const id = randomUUID();
  await app.database.asSystem((em) =>
    em.execute(
      `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, refresh_token, token_key_id,
         token_expires_at, scopes, connected_by, connected_at, needs_reauthorization, connection_params)
       values (?, ?, ?, ?, ?, ?, ?, ?, now() + interval '1 hour', '{}', 'user-1', now(), ?, ?)`,
      [
        id,
        spec.organizationId,
        spec.providerId,
        spec.providerId,
        spec.status ?? 'connected',
        sealIntegrationToken(cipher, id, 'access_token', spec.accessToken),
        spec.refreshToken === undefined ? null : sealIntegrationToken(cipher, id, 'refresh_token', spec.refreshToken),
        cipher.keyRing.current.id,
        spec.needsReauthorization ?? false,
        JSON.stringify(spec.connectionParams ?? {}),
      ],
    ),
  );
  return id;
}
