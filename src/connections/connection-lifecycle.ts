import type { EntityManager } from '@mikro-orm/postgresql';
import type { IntegrationEntity } from '../db/entities/index.js';

/**
 * What other packages do at the edges of a connection's life (provider subscriptions, see
 * src/subscriptions), without the connection services knowing them.
 */
export interface ConnectionLifecycle {
  /**
   * Runs in the transaction that stores a connection or reconnection, so what it writes commits
   * with it; the function it returns runs after the commit (publishing, waking workers).
   */
  connected(em: EntityManager, integration: IntegrationEntity): Promise<() => Promise<void>>;
  /**
   * Runs before the tokens are revoked and wiped, while they still work. Must not throw because
   * a provider is down: a disconnect is never blocked by one.
   */
  disconnecting(integration: IntegrationEntity): Promise<void>;
  /** A problem `testIntegration` reports besides the credentials (a FAILED subscription), or null. */
  healthProblem(integration: Pick<IntegrationEntity, 'id' | 'organizationId'>): Promise<string | null>;
}
