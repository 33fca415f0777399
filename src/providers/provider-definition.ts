import type { z } from 'zod';
import type { providerEntrySchema } from './provider-entry-schema.js';

/**
 * A provider as data (see `provider-entry-schema.ts` for every field). Endpoint URLs may hold
 * `{placeholders}`, filled by `resolveProvider`; what no field can say lives in a small quirk
 * module under `oauth/`.
 *
 * What an author writes: optional fields may be left out (TypeScript built-ins use it with
 * `satisfies`).
 */
export type ProviderEntryInput = z.input<typeof providerEntrySchema>;
/** A parsed entry: every default filled in. */
export type ProviderDefinition = z.output<typeof providerEntrySchema>;

/** One scope a provider offers, as shown to the person choosing what to grant. */
export type ProviderScope = ProviderDefinition['scopes'][number];
export type ConnectionParamDefinition = ProviderDefinition['connectionParams'][number];
export type ConfigParamDefinition = ProviderDefinition['configParams'][number];
export type LearnedParamDefinition = ProviderDefinition['learnedParams'][number];
/** How a provider lets us give tokens back on disconnect. */
export type RevocationSupport = ProviderDefinition['revocation'];
/** How our client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = ProviderDefinition['tokenEndpointAuthMethod'];
export type AccountSource = NonNullable<ProviderDefinition['account']>;
