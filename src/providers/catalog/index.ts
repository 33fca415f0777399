import type { ProviderEntryInput } from '../provider-definition.js';
import { asana } from './asana.js';
import { google } from './google.js';
import { microsoft } from './microsoft.js';
import { slack } from './slack.js';

/**
 * The providers this service ships, one file each. Parsed by the entry schema when the registry
 * loads, so a bad entry fails every start and every test. A deployment adds or overrides
 * entries with `PROVIDERS_FILE`.
 */
export const BUILT_IN_PROVIDER_ENTRIES: readonly ProviderEntryInput[] = [google, slack, microsoft, asana];
