import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { postGraphQL, startTestApp, type TestApp } from '../http/support/test-app.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'integrations-api';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A local identity provider's JWKS endpoint (the only thing the service fetches from it). */
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;
let rsa: SigningKey;
let ec: SigningKey;
let unpublished: SigningKey;
let subject: TestApp;

const sign = (key: SigningKey, claims: Record<string, unknown> = {}, kid = key.kid) =>
  new SignJWT({ org: randomUUID(), roles: ['member'], ...claims })
    .setProtectedHeader({ alg: key.alg, kid })
    .setSubject('user-7')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);

beforeAll(async () => {
  [rsa, ec, unpublished] = await Promise.all([signingKey('RS256', 'rsa-1'), signingKey('ES256', 'ec-1'), signingKey('RS256', 'rsa-2')]);
  jwksServer = createServer((request, response) => {
    jwksRequests += 1;
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  subject = await startTestApp({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
});

afterAll(async () => {
  await subject?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

describe('JWKS mode over HTTP', () => {
  it('accepts RS256 and ES256 tokens signed with published keys', async () => {
    for (const key of [rsa, ec]) {
      const { status, body } = await postGraphQL(subject.url, '{ integrations { id } }', { token: await sign(key) });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { integrations: [] } });
    }
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('refuses a token signed with a key the JWKS does not publish', async () => {
    const { status, body } = await postGraphQL(subject.url, '{ integrations { id } }', { token: await sign(unpublished) });
    expect(status).toBe(401);
    expect(body.errors?.[0]).toEqual({ message: 'token signed with an unknown key', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a published kid whose signature was made by another key', async () => {
    const { status } = await postGraphQL(subject.url, '{ integrations { id } }', { token: await sign(unpublished, {}, rsa.kid) });
    expect(status).toBe(401);
  });

  it('refuses an HS256 token, whatever secret made it (no algorithm confusion)', async () => {
    const token = await new SignJWT({ org: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setSubject('user-7')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(rsa.jwk)));
    expect((await postGraphQL(subject.url, '{ integrations { id } }', { token })).status).toBe(401);
  });

  it('refuses a token from another issuer', async () => {
    const wrongIssuer = await new SignJWT({ org: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .setSubject('u')
      .setIssuer('https://other-idp.test')
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
    expect((await postGraphQL(subject.url, '{ integrations { id } }', { token: wrongIssuer })).body.errors?.[0]?.message).toBe('token issuer not accepted');
  });
});

describe('createAuthenticator', () => {
  it('maps the org claim configured by AUTH_ORG_CLAIM and lower-cases it', async () => {
    const authenticator = createAuthenticator({ jwtSecret: undefined, jwksUrl, issuer: ISSUER, audience: AUDIENCE, orgClaim: 'https://example.com/org' });
    const org = randomUUID().toUpperCase();
    const token = await sign(rsa, { 'https://example.com/org': org, org: undefined });
    const principal = await authenticator.authenticate(`Bearer ${token}`);
    // Accepted until `exp` plus the 5 s clock tolerance: a subscription socket closes then.
    const expiresAt = new Date((decodeJwt(token).exp! + 5) * 1000);
    expect(principal).toEqual({ userId: 'user-7', organizationId: org.toLowerCase(), roles: ['member'], expiresAt });
    await expect(authenticator.authenticate(`Bearer ${await sign(rsa)}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'token lacks a valid "https://example.com/org" claim (an organization UUID)',
    });
  });
});
