import type { ProviderEntryInput } from '../provider-definition.js';
import { airtable } from './airtable.js';
import { asana } from './asana.js';
import { atlassian } from './atlassian.js';
import { bitbucket } from './bitbucket.js';
import { box } from './box.js';
import { calendly } from './calendly.js';
import { clickup } from './clickup.js';
import { discord } from './discord.js';
import { dropbox } from './dropbox.js';
import { figma } from './figma.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { google } from './google.js';
import { hubspot } from './hubspot.js';
import { intercom } from './intercom.js';
import { linear } from './linear.js';
import { linkedin } from './linkedin.js';
import { microsoft } from './microsoft.js';
import { miro } from './miro.js';
import { monday } from './monday.js';
import { notion } from './notion.js';
import { pipedrive } from './pipedrive.js';
import { quickbooks } from './quickbooks.js';
import { salesforce } from './salesforce.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import { spotify } from './spotify.js';
import { webex } from './webex.js';
import { x } from './x.js';
import { xero } from './xero.js';
import { zendesk } from './zendesk.js';
import { zoom } from './zoom.js';

/**
 * The providers this service ships, one file each (`<id>.ts` exporting its entry with
 * `satisfies ProviderEntryInput`, its `docs` the OAuth documentation it was written from), listed
 * here in the order the UI shows them: the seed's four, then the catalog by id. Parsed by the
 * entry schema when the registry loads, so a bad entry fails every start and every test; the
 * conformance test runs the OAuth flow for its combination of quirks without further ado. A
 * deployment adds or overrides entries with `PROVIDERS_FILE`.
 */
export const BUILT_IN_PROVIDER_ENTRIES: readonly ProviderEntryInput[] = [
  google,
  slack,
  microsoft,
  asana,
  // The catalog, by id.
  airtable,
  atlassian,
  bitbucket,
  box,
  calendly,
  clickup,
  discord,
  dropbox,
  figma,
  github,
  gitlab,
  hubspot,
  intercom,
  linear,
  linkedin,
  miro,
  monday,
  notion,
  pipedrive,
  quickbooks,
  salesforce,
  shopify,
  spotify,
  webex,
  x,
  xero,
  zendesk,
  zoom,
];
