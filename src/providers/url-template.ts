/**
 * Endpoint URLs of a provider entry may hold `{name}` placeholders: a connection param
 * (`https://{subdomain}.zendesk.com/oauth/tokens`), a configuration param (Microsoft's
 * `{tenant}`), a value learned while connecting (Salesforce's `{instanceUrl}/services/data/v62.0`),
 * the deployment's `{clientId}` (GitHub's grant endpoint), or, in a revocation URL, the `{token}`
 * itself (HubSpot).
 *
 * A placeholder that opens the URL stands for a whole origin (`https://acme.my.salesforce.com`)
 * and is put in as it is, once checked to be one; anywhere else the value is percent-encoded,
 * so it stays inside its host label or path segment.
 */

const NAME = '\\{([A-Za-z][A-Za-z0-9]*)\\}';
const PLACEHOLDER = new RegExp(NAME, 'g');
const LEADING_PLACEHOLDER = new RegExp(`^${NAME}`);
const WHOLE_PLACEHOLDER = new RegExp(`^${NAME}$`);
/** A leading placeholder, or a scheme and authority. */
const ORIGIN_TEMPLATE = new RegExp(`^(${NAME}|[a-z][a-z0-9+.-]*://[^/?#]*)`, 'i');

/** The placeholder names a template uses, in order of appearance, without repeats. */
export const placeholdersOf = (template: string): string[] => [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];

/** The placeholder a template opens with (a whole origin's), if any. */
export const leadingPlaceholderOf = (template: string): string | undefined => LEADING_PLACEHOLDER.exec(template)?.[1];

/** The placeholder `value` is, when it is exactly one (a JSON body's `"{resource}"`). */
export const wholePlaceholderOf = (value: string): string | undefined => WHOLE_PLACEHOLDER.exec(value)?.[1];

/** Fills every placeholder from `values`, put in as they are (header values: no URL to encode for). */
export const fillVerbatim = (template: string, values: Readonly<Record<string, string | undefined>>): string =>
  template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);

/** True when `value` is an http(s) origin (scheme, host, optional port; nothing after it). */
export function isHttpOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return /^https?:$/.test(url.protocol) && url.origin === value.replace(/\/$/, '');
}

/**
 * Fills the placeholders `values` has; the others stay as they are (a value learned later, or a
 * `{token}` filled at revocation time). Throws when a leading placeholder's value is not an origin.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    const value = values[name];
    if (value === undefined) return whole;
    if (offset === 0) {
      if (!isHttpOrigin(value)) throw new TypeError(`{${name}} opens the URL, so its value must be an http(s) origin`);
      return value.replace(/\/$/, '');
    }
    return encodeURIComponent(value);
  });
}

/** The template with every placeholder replaced by a harmless sample: what URL checks look at. */
export const sampleOf = (template: string): string =>
  template.replace(PLACEHOLDER, (_whole, _name: string, offset: number) => (offset === 0 ? 'https://placeholder.example' : 'placeholder'));

/** The origin part of a template (`https://{subdomain}.zendesk.com`), placeholders kept. */
export function originTemplateOf(template: string): string {
  const match = ORIGIN_TEMPLATE.exec(template);
  return match ? match[1]! : template;
}
