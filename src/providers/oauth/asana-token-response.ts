import { z } from 'zod';
import type { TokenResponseQuirks } from './token-response-quirks.js';
import { compact, stringOf } from './token-response-quirks.js';

/** Asana adds the user to the token response: https://developers.asana.com/docs/oauth#token-exchange-endpoint */
const asanaUser = z.object({ gid: z.string().optional(), name: z.string().optional(), email: z.string().optional() }).loose();

export const asanaTokenResponse: TokenResponseQuirks = {
  account: (body, idToken) => {
    const user = asanaUser.safeParse(body.data);
    const data = user.success ? user.data : {};
    return {
      externalAccountId: data.gid ?? stringOf(idToken?.sub),
      account: compact({ userGid: data.gid, name: data.name, email: data.email ?? stringOf(idToken?.email) }),
    };
  },
};
