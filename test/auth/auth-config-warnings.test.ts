import { describe, expect, it } from '@jest/globals';
import { authConfigWarnings } from '../../src/auth/auth-config-warnings.js';
import type { AuthConfig } from '../../src/config.js';

const auth = (overrides: Partial<AuthConfig>): AuthConfig => ({
  jwtSecret: undefined,
  jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
  issuer: 'https://idp.example.com/',
  audience: 'integrations',
  orgClaim: 'org',
  verifiedTokenCacheSeconds: 30,
  development: false,
  ...overrides,
});

describe('authConfigWarnings', () => {
  it('has nothing to say of a JWKS over https with issuer and audience', () => {
    expect(authConfigWarnings(auth({}))).toEqual([]);
  });

  it.each([
    ['no audience', auth({ audience: undefined }), /^AUTH_AUDIENCE is not set/],
    ['no audience with a shared secret', auth({ jwksUrl: undefined, jwtSecret: 's'.repeat(32), issuer: undefined, audience: undefined }), /^AUTH_AUDIENCE is not set/],
    ['a JWKS without issuer', auth({ issuer: undefined }), /^AUTH_ISSUER is not set/],
    ['a JWKS over plain http', auth({ jwksUrl: 'http://idp.internal/jwks.json' }), /^AUTH_JWKS_URL is plain http/],
  ])('warns of %s', (_name, config, warning) => {
    expect(authConfigWarnings(config)).toEqual([expect.stringMatching(warning)]);
  });
});
