import type { ProviderId } from '../provider-ids.js';
import { asanaTokenResponse } from './asana-token-response.js';
import { googleTokenResponse } from './google-token-response.js';
import { microsoftTokenResponse } from './microsoft-token-response.js';
import { slackTokenResponse } from './slack-token-response.js';
import type { TokenResponseQuirks } from './token-response-quirks.js';

export const TOKEN_RESPONSE_QUIRKS: Readonly<Record<ProviderId, TokenResponseQuirks>> = {
  google: googleTokenResponse,
  slack: slackTokenResponse,
  microsoft: microsoftTokenResponse,
  asana: asanaTokenResponse,
};
