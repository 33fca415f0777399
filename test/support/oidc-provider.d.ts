/**
 * The slice of oidc-provider (which ships no types) that the test OAuth server uses.
 * https://github.com/panva/node-oidc-provider/blob/main/docs/README.md
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>>;
  }

  export interface OidcClient {
    clientId: string;
    grantTypeAllowed(grantType: string): boolean;
  }

  /** The request context oidc-provider hands to policy functions. */
  export interface OidcContext {
    oidc: { client?: OidcClient };
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    jwks?: { keys: Record<string, unknown>[] };
    scopes?: string[];
    claims?: Record<string, string[]>;
    conformIdTokenClaims?: boolean;
    findAccount?: (ctx: unknown, sub: string) => Promise<Account | undefined>;
    features?: Record<string, { enabled: boolean } & Record<string, unknown>>;
    issueRefreshToken?: (ctx: unknown, client: OidcClient, code: unknown) => Promise<boolean>;
    rotateRefreshToken?: boolean | ((ctx: OidcContext) => boolean);
    pkce?: { required?: (ctx: OidcContext, client: OidcClient) => boolean };
    ttl?: Record<string, number>;
    cookies?: { keys: string[] };
    routes?: Record<string, string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    Interaction: { find(uid: string): Promise<{ prompt: { name: string } } | undefined> };
    AccessToken: { find(value: string): Promise<{ accountId: string } | undefined> };
    RefreshToken: { find(value: string): Promise<{ consumed?: unknown; isExpired?: boolean } | undefined> };
  }
}
