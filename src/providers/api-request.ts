import type { ResolvedProvider } from './resolve-provider.js';
import { fillVerbatim, placeholdersOf } from './url-template.js';

/**
 * An entry's `apiHeaders` with their `{placeholders}` filled from `values` (put in as they are:
 * every param value was checked against its pattern). A header naming a value not known yet is
 * left out rather than sent with a placeholder in it (Xero's `xero-tenant-id` before the tenant
 * is learned).
 */
export function fillApiHeaders(templates: Readonly<Record<string, string>>, values: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    if (placeholdersOf(template).some((placeholder) => values[placeholder] === undefined)) continue;
    headers[name] = fillVerbatim(template, values);
  }
  return headers;
}

/** The access token as the entry says to send it (`Authorization: Bearer …` for most, Shopify's `X-Shopify-Access-Token`). */
export function tokenHeader(provider: ResolvedProvider, accessToken: string): Record<string, string> {
  const { apiAuthorization } = provider.definition;
  return { [apiAuthorization.header]: `${apiAuthorization.prefix}${accessToken}` };
}

/** The headers of an API call made with an access token: JSON wanted, the entry's headers, the token as the entry says. */
export function apiRequestHeaders(provider: ResolvedProvider, accessToken: string): Record<string, string> {
  return { accept: 'application/json', ...provider.apiHeaders, ...tokenHeader(provider, accessToken) };
}
