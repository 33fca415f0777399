import type { AuthConfig } from '../config.js';

/**
 * What a production deployment's caller authentication leaves open, as start-up warnings rather
 * than errors: the contract checks issuer and audience only when they are set, and a deployment
 * may have reasons (one application per identity provider, a JWKS inside its own network).
 */
export function authConfigWarnings(auth: AuthConfig): string[] {
  const warnings: string[] = [];
  if (auth.audience === undefined) {
    warnings.push('AUTH_AUDIENCE is not set: tokens made for any other application by the same issuer (or with the same secret) are accepted');
  }
  if (auth.jwksUrl !== undefined && auth.issuer === undefined) {
    warnings.push('AUTH_ISSUER is not set: a token signed by any key of the JWKS is accepted, whoever issued it');
  }
  if (auth.jwksUrl !== undefined && new URL(auth.jwksUrl).protocol === 'http:') {
    warnings.push('AUTH_JWKS_URL is plain http: whoever can alter that traffic can substitute signing keys');
  }
  return warnings;
}
