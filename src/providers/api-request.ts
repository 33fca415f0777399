import { placeholdersOf } from './url-template.js';
import type { ResolvedProvider } from './resolve-provider.js';

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

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
    headers[name] = template.replace(PLACEHOLDER, (_whole, placeholder: string) => values[placeholder]!);
  }
  return headers;
}

/** The headers of an API call made with an access token: JSON wanted, the entry's headers, the token as the entry says. */
export function apiRequestHeaders(provider: ResolvedProvider, accessToken: string): Record<string, string> {
  const { apiAuthorization } = provider.definition;
  return { accept: 'application/json', ...provider.apiHeaders, [apiAuthorization.header]: `${apiAuthorization.prefix}${accessToken}` };
}
