import type { IncomingHttpHeaders } from 'node:http';

/**
 * The access tokens a fake provider accepts, each belonging to a principal (a user of the
 * provider). A test grants the tokens its connections hold and revokes one to make the next
 * call answer the provider's own 401, so refresh-on-401 can be exercised. Things created with
 * a token (a subscription, a channel, a webhook) belong to its principal: another principal's
 * token does not see them, as at the providers.
 */
export class BearerTokens {
  readonly #principals = new Map<string, string>();

  /** @param tokens tokens accepted from the start, for principal `default`. */
  constructor(tokens: readonly string[] = []) {
    for (const token of tokens) this.grant(token);
  }

  grant(token: string, principal = 'default'): this {
    this.#principals.set(token, principal);
    return this;
  }

  /** The token is refused from now on (expired or revoked at the provider). */
  revoke(token: string): this {
    this.#principals.delete(token);
    return this;
  }

  /** The principal the request's bearer token belongs to, or undefined when it has none the fake accepts. */
  principalOf(headers: IncomingHttpHeaders): string | undefined {
    const header = headers.authorization;
    if (!header?.startsWith('Bearer ')) return undefined;
    return this.#principals.get(header.slice('Bearer '.length));
  }
}
