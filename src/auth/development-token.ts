import { SignJWT } from 'jose';
import type { AuthenticatorConfig } from './authenticator.js';

/** The organization the development token belongs to: fixed, so data survives restarts. */
export const DEMO_ORGANIZATION_ID = '00000000-0000-4000-8000-00000000d3e0';
/** The user the development token names. */
export const DEMO_USER_ID = 'demo-admin';

export interface DevelopmentTokenOptions {
  /** @default DEMO_ORGANIZATION_ID */
  organizationId?: string;
  /** @default DEMO_USER_ID */
  userId?: string;
  /** @default ['admin'] */
  roles?: readonly string[];
  /** jose time span or seconds since the epoch. @default '30d' */
  expiresIn?: string | number;
}

/**
 * Mints an HS256 token the service accepts when it verifies with a shared secret (development
 * mode, tests, the UI's demo login). Carries the configured issuer, audience and org claim.
 */
export async function mintDevelopmentToken(
  config: Pick<AuthenticatorConfig, 'jwtSecret' | 'issuer' | 'audience' | 'orgClaim'>,
  options: DevelopmentTokenOptions = {},
): Promise<string> {
  if (config.jwtSecret === undefined) throw new Error('mintDevelopmentToken needs a shared secret (AUTH_JWT_SECRET or development secrets)');
  const jwt = new SignJWT({ [config.orgClaim]: options.organizationId ?? DEMO_ORGANIZATION_ID, roles: [...(options.roles ?? ['admin'])] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId ?? DEMO_USER_ID)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '30d');
  if (config.issuer !== undefined) jwt.setIssuer(config.issuer);
  if (config.audience !== undefined) jwt.setAudience(config.audience);
  return jwt.sign(new TextEncoder().encode(config.jwtSecret));
}
