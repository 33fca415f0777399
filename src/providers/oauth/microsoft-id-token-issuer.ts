import type { TokenResponseQuirks } from './token-response-quirks.js';

const MULTI_TENANT_SEGMENT = /\/(common|organizations|consumers)\//;
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Microsoft identity platform v2. Signed in through a multi-tenant endpoint (`common`,
 * `organizations`, `consumers`), the ID token's issuer names the user's own tenant
 * (`https://login.microsoftonline.com/{tid}/v2.0`), so the expected issuer is built from its
 * `tid`, as oauth4webapi's author recommends: https://github.com/panva/oauth4webapi/pull/131
 * Claims: https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */
export const microsoftIdTokenIssuer: TokenResponseQuirks = {
  idTokenIssuer: (provider, claims) => {
    const tid = typeof claims.tid === 'string' ? claims.tid : undefined;
    if (!MULTI_TENANT_SEGMENT.test(provider.issuer) || !tid || !TENANT_ID.test(tid)) return provider.issuer;
    return provider.issuer.replace(MULTI_TENANT_SEGMENT, `/${tid}/`);
  },
};
