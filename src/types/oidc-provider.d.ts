/**
 * The slice of oidc-provider (which ships no types) that the sandbox's authorization server
 * (src/sandbox) and the test OAuth server use.
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
    id_token_signed_response_alg?: string;
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
    /** A storage factory per model (oidc-provider's `adapter` option). */
    adapter?: (model: string) => unknown;
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
    /** Where the browser is sent to log in and consent. @default `/interaction/${uid}` from the host's root */
    interactions?: { url(ctx: unknown, interaction: { uid: string }): Promise<string> | string };
    /** The page shown for errors that cannot be redirected back to the client. */
    renderError?: (ctx: { type: string; body: string }, out: Record<string, string>, error: Error) => void | Promise<void>;
  }

  /** What an interaction is about: the prompt (`login`, `consent`) and the authorization request's parameters. */
  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: { missingOIDCScope?: string[] } & Record<string, unknown> };
    params: Record<string, unknown> & { client_id?: string; scope?: string };
    session?: { accountId: string };
    grantId?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface AccessToken {
    accountId: string;
    clientId: string;
    scope?: string;
    isExpired: boolean;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    /** Honour X-Forwarded-* (behind a TLS-terminating proxy). */
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Interaction: { find(uid: string): Promise<{ prompt: { name: string } } | undefined> };
    Grant: { new (properties: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
    AccessToken: { find(value: string): Promise<AccessToken | undefined> };
    RefreshToken: { find(value: string): Promise<{ consumed?: unknown; isExpired?: boolean } | undefined> };
  }
}

/** oidc-provider's own in-memory storage, made explicitly (its default prints a production warning). */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
