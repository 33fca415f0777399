import type { ResolvedProvider } from '../resolve-provider.js';

/**
 * What a provider's token responses need beyond its entry's data: code for the rare deviation
 * no field can say. Everything standard is checked by oauth4webapi, everything describable is
 * in the entry (`tokenResponse`, `account`, `learnedParams`).
 */
export interface TokenResponseQuirks {
  /** The issuer to expect in ID tokens, when it depends on the token (Microsoft multi-tenant). */
  idTokenIssuer?(provider: ResolvedProvider, unverifiedClaims: Record<string, unknown>): string;
}
