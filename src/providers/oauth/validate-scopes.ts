import { AppError, ErrorCode } from '../../errors/app-error.js';
import type { ResolvedProvider } from '../resolve-provider.js';

/**
 * The scopes to request: the caller's (de-duplicated, each one the provider offers) or the
 * provider's defaults. An unknown scope is refused rather than passed on, so a typo fails here
 * with a clear message instead of at the provider's consent screen.
 */
export function validateScopes(provider: ResolvedProvider, requested: readonly string[] | null | undefined): string[] {
  if (!requested || requested.length === 0) return [...provider.defaultScopes];
  const known = new Set(provider.scopes.map((scope) => scope.name));
  const unknown = requested.filter((scope) => !known.has(scope));
  if (unknown.length > 0) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `${provider.name} has no scope ${unknown.map((scope) => `"${scope}"`).join(', ')}`, {
      unknownScopes: unknown,
    });
  }
  return [...new Set(requested)];
}
