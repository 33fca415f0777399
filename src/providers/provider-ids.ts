/**
 * The providers this deployment knows. Configuration reads `<ID>_CLIENT_ID` etc. for each;
 * the registry (`registry.ts`) holds their endpoints, scopes and quirks.
 */
export const PROVIDER_IDS = ['google', 'slack', 'microsoft', 'asana'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

export const isProviderId = (value: string): value is ProviderId => (PROVIDER_IDS as readonly string[]).includes(value);
