import { microsoftIdTokenIssuer } from './microsoft-id-token-issuer.js';
import type { TokenResponseQuirks } from './token-response-quirks.js';

/** Quirk modules by provider id; a provider without one is handled by its entry alone. */
export const TOKEN_RESPONSE_QUIRKS: Readonly<Partial<Record<string, TokenResponseQuirks>>> = {
  microsoft: microsoftIdTokenIssuer,
};
