import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { z } from 'zod';
import type { AuthConfig } from '../config.js';
import { isUuid } from '../db/organization-id.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import type { Principal } from './principal.js';
import { DEFAULT_VERIFIED_TOKEN_CACHE_SECONDS, VerifiedTokenCache } from './verified-token-cache.js';

/** Turns a request's credentials into a Principal. */
export interface Authenticator {
  /**
   * Verifies `Authorization: Bearer <JWT>` (the header's value, as sent).
   * @throws AppError UNAUTHENTICATED with a message safe to return to the caller.
   */
  authenticate(authorizationHeader: string | null | undefined): Promise<Principal>;
}

/** The slice of the configuration authentication reads. */
export type AuthenticatorConfig = Pick<AuthConfig, 'jwtSecret' | 'jwksUrl' | 'issuer' | 'audience' | 'orgClaim'> &
  Partial<Pick<AuthConfig, 'verifiedTokenCacheSeconds'>>;

const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i;
/** How long clocks may disagree when checking `exp`/`nbf`. */
const CLOCK_TOLERANCE_SECONDS = 5;

const unauthenticated = (message: string, cause?: unknown): AppError =>
  new AppError(ErrorCode.UNAUTHENTICATED, message, undefined, cause === undefined ? undefined : { cause });

const claimsSchema = (orgClaim: string) =>
  z.object({
    sub: z.string().min(1).max(255),
    [orgClaim]: z.string().refine(isUuid),
    roles: z.array(z.string()).max(100).optional(),
    exp: z.number(),
  });

/** Maps jose's failures onto messages that say what is wrong without echoing the token. */
function describeVerificationError(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) return unauthenticated('token expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim === 'iss' ? 'issuer' : error.claim === 'aud' ? 'audience' : error.claim;
    return unauthenticated(`token ${claim} not accepted`, error);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated('token signed with an unknown key', error);
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return unauthenticated('token could not be verified now', error);
  }
  return unauthenticated('invalid token', error);
}

/**
 * JWT verification with jose: HS256 with `AUTH_JWT_SECRET`, or RS256/ES256 against the keys at
 * `AUTH_JWKS_URL` (fetched lazily, cached, refetched when an unknown `kid` shows up). A token
 * verified in the last `verifiedTokenCacheSeconds` is not verified again (VerifiedTokenCache).
 */
export function createAuthenticator(config: AuthenticatorConfig): Authenticator {
  let key: Promise<CryptoKey> | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.jwksUrl !== undefined) {
    key = createRemoteJWKSet(new URL(config.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (config.jwtSecret !== undefined) {
    // Imported once: given the raw bytes, jose imports a WebCrypto key on every verification,
    // a third of its cost (every GraphQL request and every proxied call verifies a token).
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(config.jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    key.catch(() => undefined); // an import failure surfaces at the first authenticate
    algorithms = ['HS256'];
  } else {
    throw new Error('authentication needs AUTH_JWT_SECRET or AUTH_JWKS_URL (or development secrets)');
  }
  const options: JWTVerifyOptions = {
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
    ...(config.issuer !== undefined && { issuer: config.issuer }),
    ...(config.audience !== undefined && { audience: config.audience }),
  };
  const claims = claimsSchema(config.orgClaim);
  const verified = new VerifiedTokenCache({ ttlMs: (config.verifiedTokenCacheSeconds ?? DEFAULT_VERIFIED_TOKEN_CACHE_SECONDS) * 1000 });

  return {
    async authenticate(authorizationHeader) {
      if (!authorizationHeader) throw unauthenticated('missing bearer token');
      const match = BEARER.exec(authorizationHeader);
      if (!match) throw unauthenticated('authorization must be "Bearer <JWT>"');
      const token = match[1]!;
      const known = verified.get(token);
      if (known) return known;
      let payload: unknown;
      try {
        // Overloads differ by key kind; both branches take the same options.
        ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, await key, options));
      } catch (error) {
        throw describeVerificationError(error);
      }
      const parsed = claims.safeParse(payload);
      if (!parsed.success) {
        const field = String(parsed.error.issues[0]?.path[0] ?? 'claims');
        throw unauthenticated(field === config.orgClaim ? `token lacks a valid "${config.orgClaim}" claim (an organization UUID)` : `token lacks a valid "${field}" claim`);
      }
      const data = parsed.data as { sub: string; roles?: string[]; exp: number } & Record<string, unknown>;
      const principal: Principal = {
        userId: data.sub,
        organizationId: String(data[config.orgClaim]).toLowerCase(),
        roles: data.roles ?? [],
        // Accepted until then, so a connection closed at this moment cannot reconnect with the same token.
        expiresAt: new Date((data.exp + CLOCK_TOLERANCE_SECONDS) * 1000),
      };
      verified.set(token, principal);
      return principal;
    },
  };
}
