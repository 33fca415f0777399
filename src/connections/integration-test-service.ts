import type { Principal } from '../auth/principal.js';
import { isUuid } from '../db/organization-id.js';
import { IntegrationRepository } from '../db/repositories/integration.repository.js';
import type { IntegrationRow } from '../db/repositories/integration-row.js';
import { announceIntegrationWrite, IntegrationStatusStore } from '../db/repositories/integration-status-store.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import { IntegrationError } from '../resilience/integration-error.js';
import type { ConnectionDependencies } from './connection-dependencies.js';
import type { IntegrationCallContext, TokenManager } from './token-manager.js';

/** Codes (ours and the resilience layer's, which share these names) that say nothing about the credentials. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([ErrorCode.PROVIDER_UNAVAILABLE, ErrorCode.RATE_LIMITED]);

/** The provider refused the credentials (a tester answered false); read by the token manager as a 401. */
class CredentialsRefusedError extends Error {
  readonly statusCode = 401;
}

/**
 * A provider client's `testConnection(accessToken)` from the seed: true when the token works. It
 * is given the integration too, for providers whose URLs depend on the connection's params.
 */
export type ConnectionTester = (accessToken: string, integration: IntegrationCallContext) => Promise<boolean>;

export interface IntegrationHealthResult {
  integration: IntegrationRow;
  healthy: boolean;
  checkedAt: Date;
  latencyMs: number | null;
  error: string | null;
}

/**
 * `testIntegration`: calls the provider with the stored credentials (refreshing them when
 * needed), records the outcome on the row, and announces what changed (nothing, when the token
 * manager already recorded the same verdict while refreshing).
 */
export class IntegrationTestService {
  private readonly integrations = new IntegrationRepository();
  private readonly statuses = new IntegrationStatusStore();

  constructor(
    private readonly deps: ConnectionDependencies,
    private readonly tokens: TokenManager,
    private readonly testers: Readonly<Partial<Record<string, ConnectionTester>>>,
  ) {}

  async testIntegration(principal: Principal, integrationId: string): Promise<IntegrationHealthResult> {
    if (!isUuid(integrationId)) throw notFound('Integration');
    const before = await this.deps.database.withOrganization(principal.organizationId, (em) =>
      this.integrations.findById(em, principal.organizationId, integrationId),
    );
    if (!before) throw notFound('Integration');

    const tester = this.testers[before.providerId];
    const checkedAt = new Date();
    const started = performance.now();
    let healthy = false;
    let error: string | null = null;
    /** Nothing to record: a provider that is down or busy says nothing about our credentials, and a verdict the token manager made is on the row already. */
    let unchanged = false;
    if (!tester) {
      error = `${before.providerName} has no connection test`;
    } else {
      try {
        healthy = await this.tokens.withAccessToken(integrationId, async (accessToken, context) => {
          if (await tester(accessToken, context)) return true;
          // The seed's testConnection answers false for a refused token; as a 401 it earns one
          // refresh and one retry, so an early-expired token does not fail the test.
          throw new CredentialsRefusedError();
        });
      } catch (caught) {
        if (caught instanceof CredentialsRefusedError) {
          error = `${before.providerName} did not accept the stored credentials`;
        } else {
          // AppErrors carry messages meant for users, and so do IntegrationErrors (with the
          // provider's own code and message, cleaned); anything else is summarised, never echoed.
          error = caught instanceof AppError || caught instanceof IntegrationError ? caught.message : `${before.providerName} could not be reached`;
          const transient = (caught instanceof AppError || caught instanceof IntegrationError) && TRANSIENT_CODES.has(caught.code);
          unchanged = transient || (caught instanceof AppError && caught.details?.needsReauthorization === true);
        }
      }
    }
    const latencyMs = tester ? Math.round(performance.now() - started) : null;

    const { integration, write } = await this.deps.database.withOrganization(principal.organizationId, async (em) => {
      // A disconnected integration stays so.
      const written = unchanged
        ? null
        : await this.statuses.set(
            em,
            integrationId,
            { status: healthy ? 'connected' : 'error', errorMessage: healthy ? null : error },
            { organizationId: principal.organizationId, unlessDisconnected: true, synced: healthy },
          );
      return { write: written, integration: written?.integration ?? (await this.integrations.findById(em, principal.organizationId, integrationId)) ?? before };
    });
    await announceIntegrationWrite(this.deps.pubsub, write);
    // A FAILED provider subscription makes the integration unhealthy without saying anything about its credentials.
    if (healthy && integration.status !== 'disconnected') {
      const problem = (await this.deps.lifecycle?.healthProblem(integration)) ?? null;
      if (problem) {
        healthy = false;
        error = problem;
      }
    }
    return { integration, healthy, checkedAt, latencyMs, error };
  }
}
