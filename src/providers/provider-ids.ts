/**
 * A provider's id: any id of the deployment's registry (built-in entries and `PROVIDERS_FILE`),
 * so a plain string, never a closed list. `PROVIDER_ID_PATTERN` (provider-entry-schema.ts) says
 * what one looks like.
 */
export type ProviderId = string;
