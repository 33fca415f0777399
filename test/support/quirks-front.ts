import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fillApiHeaders } from '../../src/providers/api-request.js';
import { readText } from '../../src/providers/json-path.js';
import type { ProviderDefinition } from '../../src/providers/provider-definition.js';
import { entryUrls } from '../../src/providers/provider-entry-schema.js';
import { placeholdersOf } from '../../src/providers/url-template.js';
import type { OidcServer } from './oidc-server.js';

/**
 * A small layer in front of oidc-provider that makes it answer the way one provider entry says
 * its provider does, for the shapes oidc-provider cannot produce itself: token requests as JSON
 * or in the query string, answers form-encoded, tokens nested (`authed_user`), errors with HTTP
 * 200 (`ok: false`, `error`), no `expires_in`, a `token_type` of the provider's own, scopes joined
 * with commas, the account in the token response or behind an API call (a GET, or a POST with a
 * GraphQL body), values learned from the answer (`instance_url`), API headers that carry them
 * (Xero's tenant), and revocation through a bearer or client API (the token in a JSON field, the
 * path or the query). Underneath it is always oidc-provider's real authorization code, refresh and
 * revocation.
 *
 * Each entry URL is moved onto the front with its placeholders kept
 * (`https://{subdomain}.zendesk.com/oauth/tokens` → `<front>/token/{subdomain}.zendesk.com/oauth/tokens`),
 * so the filled values arrive in the paths the front records. A URL opened by a placeholder is
 * left alone: its value (learned while connecting) is the front's own origin.
 */

export type FrontRole = 'authorize' | 'token' | 'refresh' | 'revoke' | 'account' | 'userinfo' | 'api';

export interface FrontRequest {
  role: FrontRole;
  method: string;
  /** The path after the role (the provider's host and path, placeholders filled). */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The parameters of a token or revocation request, however they were sent. */
  params: URLSearchParams;
  /** The body as sent. */
  text: string;
}

export interface QuirksFront {
  origin: string;
  /** The entry's URLs on the front, as a `PROVIDERS_FILE` override of the entry. */
  urlOverrides(): Record<string, unknown>;
  /** What each learned param is answered with. */
  learnedValues: Record<string, string>;
  /** The account id the answers carry, for an access token of `accountId`. */
  expectedAccountId(accountId: string): string;
  requests: FrontRequest[];
  /** Broken expectations about our requests (client authentication, PKCE, body format). */
  violations: string[];
  close(): Promise<void>;
}

export interface QuirksFrontOptions {
  definition: ProviderDefinition;
  clientId: string;
  clientSecret: string;
  oidc: OidcServer;
  /** Values for learned params (checked against their patterns by the service). */
  learnedValues: Record<string, string>;
  /** What an ID token's claims hold besides `sub` (see `startOidcServer`'s `claims`). */
  claims: Readonly<Record<string, string>>;
}

const ROLE_OF_PATH: Record<string, FrontRole> = {
  issuer: 'authorize',
  authorizationUrl: 'authorize',
  tokenUrl: 'token',
  'refresh.url': 'refresh',
  'revocation.url': 'revoke',
  'account.url': 'account',
  userinfoUrl: 'userinfo',
  apiBaseUrl: 'api',
};

/** Sets `value` at a dot path, making objects (or arrays, for numeric segments) on the way. */
export function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  if (path === '') return;
  const segments = path.split('.');
  let current: Record<string, unknown> = target;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      current[segment] = value;
      return;
    }
    const next = current[segment];
    if (next === null || typeof next !== 'object') current[segment] = /^\d+$/.test(segments[index + 1]!) ? [] : {};
    current = current[segment] as Record<string, unknown>;
  });
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const basicCredentials = (header: string | undefined): [string, string] | undefined => {
  if (!header?.startsWith('Basic ')) return undefined;
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return [decodeURIComponent((id ?? '').replace(/\+/g, ' ')), decodeURIComponent((secret ?? '').replace(/\+/g, ' '))];
};

export async function startQuirksFront(options: QuirksFrontOptions): Promise<QuirksFront> {
  const { definition, oidc, clientId, clientSecret } = options;
  const shape = definition.tokenResponse;
  const requests: FrontRequest[] = [];
  const violations: string[] = [];
  const check = (condition: boolean, message: string) => {
    if (!condition) violations.push(message);
  };
  /**
   * What a provider says about the account of `login` where the entry reads it (the account
   * fields, then the learned params of that source at their paths).
   */
  const accountAnswer = (login: string, from: 'token_response' | 'account', into?: Record<string, unknown>): Record<string, unknown> => {
    const account = definition.account;
    const paths = [
      ...(account ? [account.id, ...Object.values(account.fields)].map((entry) => (typeof entry === 'string' ? entry : entry[0]!)) : []),
      ...definition.learnedParams.filter((param) => param.from === from).map((param) => param.path),
    ];
    // An answer that is a list (Atlassian's accessible resources: `0.id`).
    const body = into ?? ((paths.some((path) => /^\d+(\.|$)/.test(path)) ? [] : {}) as Record<string, unknown>);
    if (account) for (const path of paths) writePath(body, path, `account-of-${login}`);
    for (const param of definition.learnedParams) if (param.from === from) writePath(body, param.path, options.learnedValues[param.name]);
    return body;
  };

  /** Our client authenticating as the entry says at the token endpoint. */
  const checkClientAuth = (request: FrontRequest, what: string) => {
    const basic = basicCredentials(request.headers.authorization);
    if (definition.tokenEndpointAuthMethod === 'client_secret_basic') {
      check(basic?.[0] === clientId && basic[1] === clientSecret, `${what}: HTTP Basic client authentication`);
      check(!request.params.has('client_secret'), `${what}: no client_secret in the body with Basic`);
    } else {
      check(request.params.get('client_id') === clientId && request.params.get('client_secret') === clientSecret, `${what}: client_secret_post`);
      check(request.headers.authorization === undefined, `${what}: no Authorization header with client_secret_post`);
    }
  };

  /** The same client authentication, as oidc-provider's client is registered. */
  const asClient = (params: URLSearchParams): { headers: Record<string, string>; body: URLSearchParams } => {
    const body = new URLSearchParams(params);
    body.delete('client_id');
    body.delete('client_secret');
    if (definition.tokenEndpointAuthMethod === 'client_secret_basic') {
      const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      return { headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }, body };
    }
    body.set('client_id', clientId);
    body.set('client_secret', clientSecret);
    return { headers: {}, body };
  };

  /** oidc-provider's answer bent into the entry's token-response shape. */
  const reshape = (status: number, json: Record<string, unknown>): { status: number; body: Record<string, unknown> } => {
    if (status !== 200) {
      if (shape.errors === 'ok-false') return { status: 200, body: { ok: false, error: json.error } };
      if (shape.errors === 'error-field') return { status: 200, body: { error: json.error, error_description: json.error_description } };
      return { status, body: json };
    }
    const tokens: Record<string, unknown> = {
      access_token: json.access_token,
      refresh_token: json.refresh_token,
      expires_in: shape.expires ? json.expires_in : undefined,
      token_type: shape.bearerTokenTypes[0] ?? json.token_type,
    };
    const body: Record<string, unknown> = { ...json, access_token: undefined, refresh_token: undefined, expires_in: undefined, token_type: undefined };
    // The last of several token paths is the unusual one (Slack's user token under authed_user).
    const holder = shape.tokenPaths.at(-1)!;
    if (holder === '') Object.assign(body, tokens);
    else writePath(body, holder, { ...tokens, id: 'U-holder' });
    const separator = shape.scopeSeparator ?? definition.scopeSeparator;
    if (typeof json.scope === 'string') body.scope = json.scope.split(' ').join(separator);
    if (shape.errors === 'ok-false') body.ok = true;
    if (definition.account?.from === 'token_response') accountAnswer('token-response', 'token_response', body);
    else for (const param of definition.learnedParams) if (param.from === 'token_response') writePath(body, param.path, options.learnedValues[param.name]);
    return { status: 200, body };
  };

  const send = (response: ServerResponse, status: number, body: Record<string, unknown> | undefined, form = false) => {
    if (body === undefined) {
      response.writeHead(status).end();
      return;
    }
    if (form) {
      const flat = Object.entries(body).filter((entry): entry is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof entry[1]));
      response.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded' }).end(new URLSearchParams(flat.map(([k, v]) => [k, String(v)])).toString());
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  /**
   * The entry's API headers, each with its params filled; one naming a value learned later may be
   * missing (the account lookup that learns it), but never sent unfilled.
   */
  const checkApiHeaders = (request: FrontRequest) => {
    for (const [name, template] of Object.entries(definition.apiHeaders)) {
      const sent = request.headers[name.toLowerCase()];
      const expected = fillApiHeaders({ [name]: template }, options.learnedValues)[name];
      check(sent === undefined ? placeholdersOf(template).length > 0 : sent === expected, `API call: header ${name}`);
    }
  };

  /** A `client-api` revocation's `{token}`, from the query parameter or the path segment the entry puts it in. */
  const tokenInUrl = (template: string, request: FrontRequest): string | undefined => {
    const query = /[?&]([^=&]+)=\{token\}/.exec(template);
    return query ? (request.query.get(query[1]!) ?? undefined) : decodeURIComponent(request.path.split('/').at(-1) ?? '');
  };

  const tokenOf = (request: FrontRequest): string | undefined => {
    const { apiAuthorization } = definition;
    const header = request.headers[apiAuthorization.header.toLowerCase()];
    return typeof header === 'string' && header.startsWith(apiAuthorization.prefix) ? header.slice(apiAuthorization.prefix.length) : undefined;
  };

  async function handle(request: FrontRequest, response: ServerResponse): Promise<void> {
    switch (request.role) {
      case 'authorize': {
        const query = new URLSearchParams(request.query);
        check(query.has('code_challenge') === (definition.pkce !== 'refused'), `authorization URL: PKCE ${definition.pkce}`);
        const scope = query.get('scope');
        // oidc-provider has nothing to ask consent for without a scope; providers without scopes (Notion) need none.
        query.set('scope', scope ? scope.split(definition.scopeSeparator).join(' ') : 'openid');
        if (definition.userScopeParam) query.delete(definition.userScopeParam.parameter);
        response.writeHead(302, { location: `${oidc.issuer}/auth?${query}` }).end();
        return;
      }
      case 'token':
      case 'refresh': {
        const format = definition.tokenRequest.body;
        const type = request.headers['content-type'] ?? '';
        if (format === 'json') check(type.startsWith('application/json'), 'token request: a JSON body');
        if (format === 'form') check(type.startsWith('application/x-www-form-urlencoded'), 'token request: a form body');
        if (format === 'query') check(request.query.has('grant_type'), 'token request: parameters in the query string');
        checkClientAuth(request, 'token request');
        const grant = request.params.get('grant_type');
        check(request.role === (grant === 'refresh_token' && definition.refresh.url ? 'refresh' : 'token'), `token request: ${grant} at the entry's URL`);
        if (grant === 'authorization_code') {
          check(request.params.has('code_verifier') === (definition.pkce !== 'refused'), `token request: code_verifier with PKCE ${definition.pkce}`);
        }
        const forwarded = asClient(request.params);
        const answer = await fetch(`${oidc.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...forwarded.headers },
          body: forwarded.body,
        });
        const { status, body } = reshape(answer.status, (await answer.json()) as Record<string, unknown>);
        send(response, status, body, shape.format === 'form');
        return;
      }
      case 'revoke': {
        const revocation = definition.revocation;
        let token: string | undefined;
        if (revocation.kind === 'rfc7009') {
          token = request.params.get('token') ?? undefined;
          if (revocation.authenticateClient) checkClientAuth(request, 'revocation');
          else check(!request.headers.authorization && !request.params.has('client_secret'), 'revocation: no client authentication');
        } else if (revocation.kind === 'bearer-api') {
          check(request.method === revocation.method, `revocation: ${revocation.method}`);
          token = request.headers.authorization?.replace(/^Bearer /, '');
        } else if (revocation.kind === 'client-api') {
          check(request.method === revocation.method, `revocation: ${revocation.method}`);
          if (revocation.clientAuth === 'basic') {
            const basic = basicCredentials(request.headers.authorization);
            check(basic?.[0] === clientId && basic[1] === clientSecret, 'revocation: HTTP Basic client authentication');
          }
          token = revocation.tokenField ? (request.params.get(revocation.tokenField) ?? undefined) : tokenInUrl(revocation.url, request);
        }
        check(token !== undefined && token !== '', 'revocation: the token');
        const forwarded = asClient(new URLSearchParams({ token: token ?? '' }));
        const answer = await fetch(`${oidc.issuer}/token/revocation`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...forwarded.headers },
          body: forwarded.body,
        });
        await answer.arrayBuffer();
        send(response, answer.status, revocation.kind === 'rfc7009' ? undefined : shape.errors === 'ok-false' ? { ok: true } : {});
        return;
      }
      default: {
        // The account lookup (or any API call): who the access token belongs to, at the entry's paths.
        const token = tokenOf(request);
        checkApiHeaders(request);
        const account = definition.account;
        if (request.role === 'account' && account) {
          check(request.method === account.method, `account lookup: ${account.method}`);
          const body = account.body ? JSON.stringify(account.body) : '';
          check((request.text === '' ? '' : JSON.stringify(JSON.parse(request.text))) === body, 'account lookup: the entry’s body');
        }
        const found = token ? await oidc.provider.AccessToken.find(token) : undefined;
        if (!found) {
          send(response, 401, { error: 'invalid_token' });
          return;
        }
        const body = accountAnswer(found.accountId, 'account');
        send(response, 200, body);
      }
    }
  }

  const server: Server = createServer((incoming, response) => {
    void (async () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const [, role = '', ...rest] = url.pathname.split('/');
      const known = Object.values(ROLE_OF_PATH).includes(role as FrontRole);
      const text = await readBody(incoming);
      const type = incoming.headers['content-type'] ?? '';
      const params = type.startsWith('application/json')
        ? new URLSearchParams(Object.entries(JSON.parse(text || '{}') as Record<string, string>))
        : type.startsWith('application/x-www-form-urlencoded')
          ? new URLSearchParams(text)
          : new URLSearchParams(url.searchParams);
      const request: FrontRequest = {
        role: known ? (role as FrontRole) : 'api',
        method: incoming.method ?? 'GET',
        path: known ? `/${rest.join('/')}` : url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        params,
        text,
      };
      requests.push(request);
      check(!/\{|%7B/i.test(request.path + request.query.toString()), `${request.role}: every placeholder filled`);
      await handle(request, response);
    })().catch((error: unknown) => {
      violations.push(`front failed: ${(error as Error).message}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** `https://{subdomain}.zendesk.com/oauth/tokens` → `<front>/token/{subdomain}.zendesk.com/oauth/tokens`. */
  const moved = (role: FrontRole, template: string): string => {
    if (template.startsWith('{')) return template;
    const match = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/i.exec(template);
    return `${origin}/${role}/${match?.[1] ?? template}`;
  };

  return {
    origin,
    learnedValues: options.learnedValues,
    expectedAccountId: (login) => {
      const from = definition.account?.from;
      if (from === 'token_response') return readText(accountAnswer('token-response', 'token_response'), definition.account!.id) ?? '';
      if (from === 'request') return readText(accountAnswer(login, 'account'), definition.account!.id) ?? '';
      const claim = typeof definition.account?.id === 'string' ? definition.account.id : definition.account?.id[0];
      return claim === 'sub' ? login : (options.claims[claim ?? ''] ?? '');
    },
    urlOverrides() {
      const overrides: Record<string, unknown> = { issuer: oidc.issuer };
      for (const [path, template] of entryUrls(definition)) {
        const key = path.join('.');
        if (key === 'issuer') continue;
        const url = moved(ROLE_OF_PATH[key]!, template);
        if (path.length === 1) overrides[key] = url;
        else {
          const parent = path[0] as 'refresh' | 'account' | 'revocation';
          overrides[parent] = { ...(overrides[parent] as object | undefined ?? definition[parent]), url };
        }
      }
      return overrides;
    },
    requests,
    violations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
