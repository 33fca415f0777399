import type { Principal } from '../auth/principal.js';
import { IntegrationEntity } from '../db/entities/index.js';
import { isUuid } from '../db/organization-id.js';
import { toIntegrationSnapshot } from '../db/snapshots.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import { IntegrationError } from '../providers/integration-error.js';
import type { ProviderId } from '../providers/provider-ids.js';
import type { ConnectionDependencies } from './connection-dependencies.js';
import type { TokenManager } from './token-manager.js';

/** Codes (ours and the resilience layer's, which share these names) that say nothing about the credentials. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([ErrorCode.PROVIDER_UNAVAILABLE, ErrorCode.RATE_LIMITED]);

/** The provider refused the credentials (a tester answered false); read by the token manager as a 401. */
class CredentialsRefusedError extends Error {
  readonly statusCode = 401;
}

/** A provider client's `testConnection(accessToken)` from the seed: true when the token works. */
export type ConnectionTester = (accessToken: string) => Promise<boolean>;

export interface IntegrationHealthResult {
  integration: IntegrationEntity;
  healthy: boolean;
  checkedAt: Date;
  latencyMs: number | null;
  error: string | null;
}

/**
 * `testIntegration`: calls the provider with the stored credentials (refreshing them when
 * needed), records the outcome on the row, and publishes when the status changed.
 */
export class IntegrationTestService {
  constructor(
    private readonly deps: ConnectionDependencies,
    private readonly tokens: TokenManager,
    private readonly testers: Readonly<Partial<Record<ProviderId, ConnectionTester>>>,
  ) {}

  async testIntegration(principal: Principal, integrationId: string): Promise<IntegrationHealthResult> {
    if (!isUuid(integrationId)) throw notFound('Integration');
    const before = await this.deps.database.withOrganization(principal.organizationId, (em) =>
      em.findOne(IntegrationEntity, { id: integrationId, organizationId: principal.organizationId }),
    );
    if (!before) throw notFound('Integration');

    const tester = this.testers[before.providerId as ProviderId];
    const checkedAt = new Date();
    const started = performance.now();
    let healthy = false;
    let error: string | null = null;
    let transient = false;
    if (!tester) {
      error = `${before.providerName} has no connection test`;
    } else {
      try {
        healthy = await this.tokens.withAccessToken(integrationId, async (accessToken) => {
          if (await tester(accessToken)) return true;
          // The seed's testConnection answers false for a refused token; as a 401 it earns one
          // refresh and one retry, so an early-expired token does not fail the test.
          throw new CredentialsRefusedError();
        });
      } catch (caught) {
        if (caught instanceof CredentialsRefusedError) {
          error = `${before.providerName} did not accept the stored credentials`;
        } else {
          // AppErrors carry messages meant for users; anything else is summarised, never echoed.
          error = caught instanceof AppError ? caught.message : `${before.providerName} could not be reached`;
          transient = (caught instanceof AppError || caught instanceof IntegrationError) && TRANSIENT_CODES.has(caught.code);
        }
      }
    }
    const latencyMs = tester ? Math.round(performance.now() - started) : null;

    const after = await this.deps.database.withOrganization(principal.organizationId, async (em) => {
      const row = await em.findOneOrFail(IntegrationEntity, { id: integrationId });
      // A disconnected integration stays so; a provider that is down or busy says nothing about our credentials.
      if (row.status !== 'disconnected' && !transient) {
        row.status = healthy ? 'connected' : 'error';
        row.errorMessage = healthy ? null : error;
        if (healthy) row.lastSyncAt = checkedAt;
        await em.flush();
      }
      return row;
    });
    // A FAILED provider subscription makes the integration unhealthy without saying anything about its credentials.
    if (healthy && after.status !== 'disconnected') {
      const problem = (await this.deps.lifecycle?.healthProblem(after)) ?? null;
      if (problem) {
        healthy = false;
        error = problem;
      }
    }
    if (after.status !== before.status) await this.deps.pubsub.publish('integrationStatusChanged', toIntegrationSnapshot(after));
    // The same status with a new sync time or message: only read caches need to know.
    else await this.deps.pubsub.publish('organizationDataChanged', { organizationId: principal.organizationId });
    return { integration: after, healthy, checkedAt, latencyMs, error };
  }
}
