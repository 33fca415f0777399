import type { ProviderEntryInput } from '../provider-definition.js';
import { asana } from './asana.js';
import { google } from './google.js';
import { microsoft } from './microsoft.js';
import { slack } from './slack.js';

/**
 * The providers this service ships, one file each (`<id>.ts` exporting its entry with
 * `satisfies ProviderEntryInput`, its `docs` the OAuth documentation it was written from), listed
 * here in the order the UI shows them. Parsed by the entry schema when the registry loads, so a
 * bad entry fails every start and every test; the conformance test runs the OAuth flow for its
 * combination of quirks without further ado. A deployment adds or overrides entries with
 * `PROVIDERS_FILE`.
 */
export const BUILT_IN_PROVIDER_ENTRIES: readonly ProviderEntryInput[] = [google, slack, microsoft, asana];
