/** The outcome of a token request, normalised across providers. Holds secrets: never log it. */
export interface TokenSet {
  accessToken: string;
  /** Absent when the provider did not issue (or rotate) one: keep the one you have. */
  refreshToken: string | undefined;
  /** Absent when the token does not expire (Slack without token rotation). */
  expiresAt: Date | undefined;
  /** Granted scopes when the provider says; absent means "as requested". */
  grantedScopes: string[] | undefined;
  /** The provider-side account: Slack team id, Microsoft tenant id, Google/Asana subject. */
  externalAccountId: string | undefined;
  /** Non-secret facts about the connected account (email, name, team, tenant) for `metadata`. */
  account: Record<string, string>;
  /**
   * Values the provider taught us while connecting, for the entry's `learnedParams` (Salesforce's
   * `instanceUrl`): kept with the connection's params. Empty after a refresh.
   */
  learnedParams: Record<string, string>;
}
