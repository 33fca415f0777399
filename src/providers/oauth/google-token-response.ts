import type { TokenResponseQuirks } from './token-response-quirks.js';
import { compact, stringOf } from './token-response-quirks.js';

/**
 * Google: a standard OpenID Connect response. The account comes from the ID token
 * (`sub`, `email`, `hd` for Workspace domains):
 * https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
 */
export const googleTokenResponse: TokenResponseQuirks = {
  account: (_body, idToken) => ({
    externalAccountId: stringOf(idToken?.sub),
    account: compact({
      email: stringOf(idToken?.email),
      name: stringOf(idToken?.name),
      hostedDomain: stringOf(idToken?.hd),
      subject: stringOf(idToken?.sub),
    }),
  }),
};
