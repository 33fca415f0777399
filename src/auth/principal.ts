/** Who is calling, as established from a verified JWT. Every service call is scoped by it. */
export interface Principal {
  /** The `sub` claim: the user's id. */
  readonly userId: string;
  /** The organization claim (`org` by default, see AUTH_ORG_CLAIM): a UUID. */
  readonly organizationId: string;
  readonly roles: readonly string[];
  /** When the token stops being accepted (`exp` plus the clock tolerance): a long-lived connection (a subscription socket) ends then. */
  readonly expiresAt?: Date;
}

export const isAdmin = (principal: Principal): boolean => principal.roles.includes('admin');
