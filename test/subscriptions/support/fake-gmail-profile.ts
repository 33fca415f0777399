import type { BearerTokens } from '../../support/fake-bearer-tokens.js';
import { googleEmailOf } from '../../support/fake-google-accounts.js';
import { googleApiError } from '../../support/fake-google-errors.js';
import type { FakeProviderServer } from '../../support/fake-provider-server.js';

/**
 * Gmail's `users.getProfile` on the fake www.googleapis.com (the service learns the watched
 * mailbox's address from it), in the style of test/support/fake-gmail-watch.ts:
 * https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
 */
export function installGmailProfile(server: FakeProviderServer, tokens: BearerTokens): void {
  server.route('GET', '/gmail/v1/users/me/profile', (request) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return googleApiError(401, 'authError', 'Invalid Credentials');
    return { json: { emailAddress: googleEmailOf(principal), messagesTotal: 1042, threadsTotal: 877, historyId: '1234567' } };
  });
}
