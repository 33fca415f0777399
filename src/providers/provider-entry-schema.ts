import { z } from 'zod';
import { leadingPlaceholderOf, placeholdersOf, sampleOf } from './url-template.js';

/**
 * The one schema of a provider entry: what a plain OAuth 2.0 provider is, as data. Built-in
 * entries (src/providers/catalog) are TypeScript checked against `ProviderEntryInput` at compile
 * time and parsed by this schema at load; a deployment's `PROVIDERS_FILE` is parsed by it too.
 * Every object is strict, so a misspelt field is an error rather than silently ignored.
 */

/** A provider id: what `/webhooks/<id>`, `<ID>_CLIENT_ID` and the GraphQL `Provider.id` use. */
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const PARAM_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9]{0,39}$/;
/** Placeholders every URL may use besides the entry's params. */
const DEPLOYMENT_PLACEHOLDERS = ['clientId'] as const;

const unknownFields = (issue: z.core.$ZodRawIssue): string | undefined =>
  issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `"${key}"`).join(', ')}` : undefined;

/** A strict object whose unknown keys are reported by name. */
const entryObject = <Shape extends z.core.$ZodLooseShape>(shape: Shape) => z.strictObject(shape, { error: unknownFields });

const isHttpUrl = (value: string): boolean => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

const httpUrl = z.string().refine(isHttpUrl, 'must be an http(s) URL');
/** An http(s) URL once its `{placeholders}` are filled. */
const urlTemplate = z.string().refine((value) => isHttpUrl(sampleOf(value)), 'must be an http(s) URL (placeholders like {subdomain} allowed)');
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const paramName = z.string().regex(PARAM_NAME_PATTERN, 'must be letters and digits, starting with a letter (it is used as {name} in URLs)');
const jsonPath = z.string().regex(/^$|^[^.]+(\.[^.]+)*$/, 'must be a dot-separated path such as team.id or 0.id');
const jsonPaths = z.union([jsonPath, z.array(jsonPath).min(1, 'must name at least one path')]);
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name');

const compiles = (pattern: string): boolean => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
};
/** A regular expression the whole value must match (it is anchored for you). */
const valuePattern = z.string().min(1, 'must not be empty').refine(compiles, 'must be a valid regular expression');

/** A segment safe in a host label or a path: what a connection param is unless the entry says otherwise. */
const DEFAULT_PARAM_PATTERN = '[A-Za-z0-9][A-Za-z0-9_-]{0,62}';

const scopeSchema = entryObject({
  name: nonEmpty,
  /** Shown to the person choosing what to grant. */
  description: nonEmpty,
});

const connectionParamSchema = entryObject({
  name: paramName,
  /** Shown next to the input, e.g. "Your Zendesk subdomain (acme in acme.zendesk.com)". */
  description: nonEmpty,
  /** What a valid value looks like (whole value). @default DEFAULT_PARAM_PATTERN */
  pattern: valuePattern.default(DEFAULT_PARAM_PATTERN),
  /** An example value for the input's placeholder. */
  example: z.string().optional(),
});

const configParamSchema = entryObject({
  name: paramName,
  description: nonEmpty,
  /** Used when `<ID>_<NAME>` is unset; without one the variable is required once the provider is configured. */
  default: z.string().optional(),
  /** @default DEFAULT_PARAM_PATTERN */
  pattern: valuePattern.default(DEFAULT_PARAM_PATTERN),
});

const learnedParamSchema = entryObject({
  name: paramName,
  /**
   * Where the value comes from: the token response (Salesforce `instance_url`), the callback's
   * query (QuickBooks `realmId`), or the account lookup's answer (Atlassian's cloud id).
   */
  from: z.enum(['token_response', 'callback', 'account']),
  path: jsonPath,
  /** What a valid value looks like; an answer that does not fit fails the connection. @default DEFAULT_PARAM_PATTERN */
  pattern: valuePattern.default(DEFAULT_PARAM_PATTERN),
});

const tokenRequestSchema = entryObject({
  /**
   * How the token request's parameters travel: RFC 6749 `form`, a `json` body (Notion), or the
   * `query` string of an empty POST (ClickUp).
   * @default 'form'
   */
  body: z.enum(['form', 'json', 'query']).default('form'),
});

const tokenResponseSchema = entryObject({
  /** `form` for providers that answer `application/x-www-form-urlencoded` (GitHub without `Accept: application/json`). @default 'json' */
  format: z.enum(['json', 'form']).default('json'),
  /**
   * Objects of the answer that may hold `access_token`, `refresh_token` and `expires_in`, tried in
   * order (Slack: the bot token at the top, else the user token under `authed_user`).
   * @default ['']
   */
  tokenPaths: z.array(jsonPath).min(1, 'must name at least one path').default(['']),
  /** How the answer's `scope` is separated. @default the entry's `scopeSeparator` */
  scopeSeparator: z.enum([' ', ',']).optional(),
  /**
   * How errors arrive besides RFC 6749 §5.2 4xx answers: `ok-false` (Slack: HTTP 200 with
   * `{ ok: false, error }`), `error-field` (GitHub: HTTP 200 with `{ error }`).
   * @default 'http-status'
   */
  errors: z.enum(['http-status', 'ok-false', 'error-field']).default('http-status'),
  /** Error codes besides `invalid_grant` meaning the code or refresh token is dead (Slack's `invalid_code`). @default [] */
  invalidGrantErrors: z.array(nonEmpty).default([]),
  /** Error codes meaning "rate-limited" (Slack's `ratelimited`). @default [] */
  rateLimitErrors: z.array(nonEmpty).default([]),
  /** `token_type` values that mean a bearer token (Slack's `bot`, `user`); a missing `token_type` means bearer. @default [] */
  bearerTokenTypes: z.array(nonEmpty).default([]),
  /** False when access tokens never expire (no `expires_in`: Shopify offline tokens, Slack without rotation). @default true */
  expires: z.boolean().default(true),
});

const refreshSchema = entryObject({
  /** False when the provider issues no refresh token: an expired token means connecting again. @default true */
  supported: z.boolean().default(true),
  /** True when each refresh answers with a new refresh token, which replaces the stored one. @default false */
  rotation: z.boolean().default(false),
  /** Where refresh requests go when not the token endpoint. @default tokenUrl */
  url: urlTemplate.optional(),
});

const revocationSchema = z.discriminatedUnion(
  'kind',
  [
    /** RFC 7009: `token` (+ `token_type_hint`) posted to the endpoint, with or without client authentication (Google: without). */
    entryObject({ kind: z.literal('rfc7009'), url: urlTemplate, authenticateClient: z.boolean().default(true) }),
    /** An API method called with the token itself as bearer (Slack `auth.revoke`, Dropbox `token/revoke`, Zendesk `DELETE …/tokens/current`). */
    entryObject({ kind: z.literal('bearer-api'), url: urlTemplate, method: z.enum(['POST', 'DELETE']).default('POST') }),
    /**
     * An API method authenticated as the client (or not at all), naming the token in a JSON body
     * field (GitHub `DELETE /applications/{clientId}/grant` with `access_token`) or in the URL
     * (`{token}`: HubSpot `DELETE /oauth/v1/refresh-tokens/{token}`).
     */
    entryObject({
      kind: z.literal('client-api'),
      url: urlTemplate,
      method: z.enum(['POST', 'DELETE']).default('POST'),
      clientAuth: z.enum(['basic', 'none']).default('basic'),
      /** JSON body field carrying the token; omit when the URL carries it as `{token}`. */
      tokenField: nonEmpty.optional(),
      /** Which token the endpoint takes. @default the refresh token when there is one, else the access token */
      token: z.enum(['access_token', 'refresh_token']).optional(),
    }),
    /** No per-token revocation: disconnect only wipes our copy; `reason` says what the user can do instead. */
    entryObject({ kind: z.literal('none'), reason: nonEmpty }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'must be one of "rfc7009", "bearer-api", "client-api", "none"' : undefined) },
);

const accountSchema = entryObject({
  /**
   * Where the connected account is read: the validated ID token's claims, the token response, or
   * an authenticated `request` to `url` right after the exchange (GitHub `/user`, Atlassian's
   * accessible resources).
   */
  from: z.enum(['id_token', 'token_response', 'request']),
  /** For `request`: the URL to call with the new access token (the entry's API authorization and headers). */
  url: urlTemplate.optional(),
  /**
   * For `request`: `POST` for RPC and GraphQL APIs that have no GET to ask who the token is
   * (Dropbox `users/get_current_account`, Linear's and monday.com's GraphQL).
   * @default 'GET'
   */
  method: z.enum(['GET', 'POST']).default('GET'),
  /** For a `POST` request: its JSON body (a GraphQL `{ query }`); without one the POST has no body. */
  body: z.record(z.string(), z.unknown()).optional(),
  /** The provider-side account id that routes webhooks (Slack `team.id`, Microsoft `tid`). */
  id: jsonPaths,
  /** Non-secret facts kept in the integration's metadata, by name. @default {} */
  fields: z.record(paramName, jsonPaths).default({}),
});

const apiAuthorizationSchema = entryObject({
  /** @default 'authorization' */
  header: headerName.default('authorization'),
  /** Put before the token; '' for providers that take the bare token (ClickUp). @default 'Bearer ' */
  prefix: z.string().default('Bearer '),
});

const paginationSchema = entryObject({
  /** How list endpoints page: for callers of the API and the proxy; the service does not page for them. @default 'none' */
  style: z.enum(['none', 'cursor', 'offset', 'page', 'next-url', 'link-header']).default('none'),
  /** Request parameter carrying the cursor, offset or page number. */
  param: nonEmpty.optional(),
  /** The answer's property saying what comes next (a cursor, or for `next-url` the next page's URL: Graph's `@odata.nextLink`). */
  nextPath: nonEmpty.optional(),
  /** Request parameter setting the page size. */
  limitParam: nonEmpty.optional(),
});

/** Where the provider states its limits: a description for callers of the API and the proxy (the resilient client reads `Retry-After` itself). */
const rateLimitHeadersSchema = entryObject({
  limit: headerName.optional(),
  remaining: headerName.optional(),
  /** When the window resets (the provider's format: seconds or an epoch time). */
  reset: headerName.optional(),
  /** @default 'retry-after' */
  retryAfter: headerName.default('retry-after'),
});

const userScopeParamSchema = entryObject({
  /** The authorization parameter for them (Slack's `user_scope`). */
  parameter: nonEmpty,
  /** How such scopes are told apart in `scopes` (Slack's `user:`). */
  prefix: nonEmpty,
  /** Where the token response lists the granted ones (Slack's `authed_user.scope`). */
  responsePath: jsonPath,
});

/** Placeholders a subscription request may use: what the generic protocol knows when it sends it. */
const SUBSCRIPTION_PLACEHOLDERS = {
  create: ['resource', 'webhookUrl'],
  renew: ['resource', 'webhookUrl', 'id'],
  stop: ['resource', 'webhookUrl', 'id'],
} as const;

const subscriptionRequestSchema = entryObject({
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  /** Appended to the API base URL; `{id}` (the provider's subscription id) and `{resource}` are percent-encoded into it. */
  path: z.string().regex(/^\/[^?#]*$/, 'must be a path starting with / (no query)'),
  /**
   * The JSON body; a string value that is exactly one placeholder (`"{webhookUrl}"`) is replaced by
   * its value, others are sent as they are. Without one the request has no body.
   */
  body: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A provider whose webhook subscriptions are plain REST calls, described as data and run by the
 * generic protocol (src/subscriptions/protocols/generic-protocol.ts): create answers an id, an
 * expiry and a Standard Webhooks secret (`whsec_…`), renew extends it, stop deletes it. Deliveries
 * go to `{webhookUrl}` (`${PUBLIC_URL}/webhooks/<id>/<endpoint>`) and are verified as Standard
 * Webhooks with that secret.
 */
const subscriptionApiSchema = entryObject({
  create: subscriptionRequestSchema,
  renew: subscriptionRequestSchema,
  stop: subscriptionRequestSchema,
  /** Where the create (and renew) answer holds each value. */
  response: entryObject({
    id: jsonPath,
    /** An ISO 8601 time; without a path the subscription does not expire and renew is a periodic check. */
    expiresAt: jsonPath.optional(),
    /** Only in the create answer. */
    secret: jsonPath,
  }),
});

const providerEntryShape = {
  id: z.string().regex(PROVIDER_ID_PATTERN, 'must be lower-case letters, digits and -, starting with a letter (at most 40)'),
  name: nonEmpty,
  /** The provider's OAuth documentation this entry was written from. */
  docs: httpUrl,
  /** The authorization server's `iss` (RFC 9207 callback parameter, ID tokens). @default the authorization URL's origin */
  issuer: urlTemplate.optional(),
  authorizationUrl: urlTemplate,
  tokenUrl: urlTemplate,
  /** OpenID Connect userinfo; also what a connection test calls when the account is not read by `request`. */
  userinfoUrl: urlTemplate.optional(),
  /** Prefix of API calls (provider clients, the proxy). */
  apiBaseUrl: urlTemplate,
  scopes: z.array(scopeSchema).default([]),
  /** Requested when `startConnection` is given no scopes. @default [] */
  defaultScopes: z.array(nonEmpty).default([]),
  /** Always added to the request (Microsoft's `offline_access`). @default [] */
  requiredScopes: z.array(nonEmpty).default([]),
  /** RFC 6749 says space; Slack, Shopify and Linear join with commas. @default ' ' */
  scopeSeparator: z.enum([' ', ',']).default(' '),
  /** Scopes granted to the installing user, asked for in their own parameter (Slack). */
  userScopeParam: userScopeParamSchema.optional(),
  /**
   * RFC 7636 with S256: `required` and `supported` send a challenge; `refused` never does (Slack
   * confidential apps, which must not be switched to PKCE).
   */
  pkce: z.enum(['required', 'supported', 'refused']),
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']),
  /** Fixed extra parameters of the authorization request (Google `access_type=offline`, Atlassian `audience`). @default {} */
  authorizationParams: z.record(nonEmpty, z.string()).default({}),
  tokenRequest: tokenRequestSchema.prefault({}),
  tokenResponse: tokenResponseSchema.prefault({}),
  refresh: refreshSchema.prefault({}),
  revocation: revocationSchema,
  /** Who the tokens belong to; without it the integration has no external account id. */
  account: accountSchema.optional(),
  /** Values the user gives when connecting (a Zendesk subdomain, a Shopify shop). @default [] */
  connectionParams: z.array(connectionParamSchema).default([]),
  /** Values the deployment sets as `<ID>_<NAME>` (Microsoft's `MICROSOFT_TENANT`). @default [] */
  configParams: z.array(configParamSchema).default([]),
  /** Values learned while connecting, kept with the connection's params. @default [] */
  learnedParams: z.array(learnedParamSchema).default([]),
  /** How an API call carries the access token. @default { header: 'authorization', prefix: 'Bearer ' } */
  apiAuthorization: apiAuthorizationSchema.prefault({}),
  /**
   * Headers of every API call (Notion-Version, GitHub's Accept), the account lookup and API
   * revocations included. A value may hold `{placeholders}` of the entry's params (Xero's
   * `xero-tenant-id: {tenantId}`); a header whose value is not known yet is left out.
   * @default {}
   */
  apiHeaders: z.record(headerName, z.string()).default({}),
  pagination: paginationSchema.prefault({}),
  rateLimitHeaders: rateLimitHeadersSchema.optional(),
  /** Resources that can be subscribed to for webhooks, as patterns with `{placeholders}`. @default [] */
  subscribableResources: z.array(nonEmpty).default([]),
  /** Subscribed on connect (`<ID>_DEFAULT_SUBSCRIPTIONS` overrides). @default [] */
  defaultSubscriptions: z.array(nonEmpty).default([]),
  /** How subscriptions are made, renewed and stopped, when a data description suffices (the sandbox). */
  subscriptionApi: subscriptionApiSchema.optional(),
};

type EntryShape = z.output<z.ZodObject<typeof providerEntryShape>>;

/** URLs used before the token exchange, when nothing has been learned yet. */
const BEFORE_EXCHANGE_URLS = new Set(['issuer', 'authorizationUrl', 'tokenUrl']);

/** Every URL template of an entry, with the field it is in. */
export function entryUrls(entry: Omit<EntryShape, 'id'>): [path: string[], template: string][] {
  const urls: [string[], string | undefined][] = [
    [['issuer'], entry.issuer],
    [['authorizationUrl'], entry.authorizationUrl],
    [['tokenUrl'], entry.tokenUrl],
    [['refresh', 'url'], entry.refresh.url],
    [['userinfoUrl'], entry.userinfoUrl],
    [['apiBaseUrl'], entry.apiBaseUrl],
    [['account', 'url'], entry.account?.url],
    [['revocation', 'url'], entry.revocation.kind === 'none' ? undefined : entry.revocation.url],
  ];
  return urls.filter((url): url is [string[], string] => url[1] !== undefined);
}

/** The param names that open one of the entry's URLs: their values must be whole origins. */
export const originParams = (entry: Omit<EntryShape, 'id'>): Set<string> =>
  new Set(entryUrls(entry).flatMap(([, template]) => leadingPlaceholderOf(template) ?? []));

/** Cross-field rules: defaults among the scopes, every placeholder declared and known when it is needed. */
function checkEntry(entry: EntryShape, context: z.core.$RefinementCtx<EntryShape>): void {
  const issue = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', path, message });
  const scopeNames = new Set(entry.scopes.map((scope) => scope.name));
  for (const field of ['defaultScopes', 'requiredScopes'] as const) {
    entry[field].forEach((scope, index) => {
      if (!scopeNames.has(scope)) issue([field, index], `"${scope}" is not one of the entry's scopes`);
    });
  }

  const names = [...entry.connectionParams, ...entry.configParams, ...entry.learnedParams].map((param) => param.name);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name) || (DEPLOYMENT_PLACEHOLDERS as readonly string[]).includes(name)) issue(['connectionParams'], `param "${name}" is declared twice or clashes with {clientId}`);
    seen.add(name);
  }
  // Which values exist when each URL is used: authorization and token requests happen before
  // anything is learned; the rest may use learned values. A revocation URL may carry the {token}.
  const beforeExchange = new Set([...entry.connectionParams, ...entry.configParams].map((param) => param.name).concat(DEPLOYMENT_PLACEHOLDERS));
  const afterExchange = new Set([...beforeExchange, ...entry.learnedParams.map((param) => param.name)]);
  const userGiven = new Set(entry.connectionParams.map((param) => param.name));
  for (const [path, template] of entryUrls(entry)) {
    const known = path[0] === 'revocation' ? new Set([...afterExchange, 'token']) : BEFORE_EXCHANGE_URLS.has(path[0]!) ? beforeExchange : afterExchange;
    for (const name of placeholdersOf(template)) {
      if (known.has(name)) continue;
      issue(path, afterExchange.has(name) ? `{${name}} is learned during the token exchange, too late for this URL` : `{${name}} is not a declared param`);
    }
  }
  for (const name of originParams(entry)) {
    // A user's value would choose where tokens (and the client secret) go.
    if (userGiven.has(name)) issue(['connectionParams'], `{${name}} is given by the user, so it cannot open a URL; use a configParam, or put it inside the host`);
  }

  for (const [header, template] of Object.entries(entry.apiHeaders)) {
    for (const name of placeholdersOf(template)) if (!afterExchange.has(name)) issue(['apiHeaders', header], `{${name}} is not a declared param`);
  }

  if (entry.account?.from === 'request' && !entry.account.url) issue(['account', 'url'], 'is required when from is "request"');
  if (entry.account?.body && entry.account.method !== 'POST') issue(['account', 'body'], 'needs method "POST"');
  entry.learnedParams.forEach((param, index) => {
    if (param.from === 'account' && entry.account?.from !== 'request') issue(['learnedParams', index, 'from'], '"account" needs an account read by request');
  });
  if (entry.subscriptionApi) {
    for (const step of ['create', 'renew', 'stop'] as const) {
      const known: readonly string[] = SUBSCRIPTION_PLACEHOLDERS[step];
      const request = entry.subscriptionApi[step];
      for (const name of [...placeholdersOf(request.path), ...placeholdersOf(JSON.stringify(request.body ?? {}))]) {
        if (!known.includes(name)) issue(['subscriptionApi', step], `{${name}} is not known here (${known.map((value) => `{${value}}`).join(', ')})`);
      }
    }
  }
  if (entry.revocation.kind === 'client-api' && !entry.revocation.tokenField && !placeholdersOf(entry.revocation.url).includes('token')) {
    issue(['revocation', 'tokenField'], 'is required unless the URL carries {token}');
  }
}

export const providerEntrySchema = entryObject(providerEntryShape).superRefine(checkEntry);

/** Words for the issues zod reports, naming what is wrong and never echoing the value. */
const entryErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'is required';
  if (issue.code === 'invalid_type') return `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  return unknownFields(issue);
};

/** One problem with an entry: where (`tokenResponse.format`) and what. */
export interface EntryProblem {
  field: string;
  message: string;
}

export type EntryParseResult = { success: true; entry: z.output<typeof providerEntrySchema> } | { success: false; problems: EntryProblem[] };

/** Parses one entry, describing each problem by field (`scopes.2.name`) and message. */
export function parseProviderEntry(input: unknown): EntryParseResult {
  const result = providerEntrySchema.safeParse(input, { error: entryErrorMap });
  if (result.success) return { success: true, entry: result.data };
  return {
    success: false,
    problems: result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(entry)', message: issue.message })),
  };
}

/** The anchored form of an entry's pattern: the whole value must match. */
export const wholeValue = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);
