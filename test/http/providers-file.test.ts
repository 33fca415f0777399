import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mintDevelopmentToken } from '../../src/auth/development-token.js';
import { cloneTemplateDatabase } from '../support/database.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import { testDatabaseUrl } from '../support/services.js';
import { freePort } from '../support/free-port.js';

/**
 * A provider that exists only in a deployment's `PROVIDERS_FILE`: `src/main.ts` started with the
 * file and `ACMEDESK_CLIENT_ID` / `_SECRET`, connected end to end through the GraphQL API, the
 * authorization server's pages and `/oauth/callback`, tested and disconnected, with no code
 * naming it. The authorization server is oidc-provider; the entry's `{subdomain}` travels in
 * its URLs' query strings (loopback has no subdomains), where the server's log shows it filled.
 * A broken file stops start-up the way every configuration error does.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLIENT_ID = 'acmedesk-client';
const CLIENT_SECRET = 'acmedesk-client-secret-0123456789abcdef';
const JWT_SECRET = 'providers-file-test-secret-0123456789abcdef';
const ORGANIZATION_ID = '6a7f1f0e-8c1d-4a55-9a66-0b7c2f1d3e01';

let oidc: OidcServer;
let service: ChildProcess | undefined;
let serviceOutput = () => '';
let baseUrl = '';
let directory = '';

/** Runs `src/main.ts` with exactly `env` (plus PATH and HOME). */
function startService(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))), output: () => output };
}

async function waitForHealthy(exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !gone) {
    try {
      if ((await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service did not start:\n${serviceOutput()}`);
}

let token = '';
async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

const entryYaml = (issuer: string) => `
# Acme Desk: a help desk this deployment connects without any code for it.
acmedesk:
  name: Acme Desk
  docs: https://acmedesk.example/docs/oauth
  authorizationUrl: ${issuer}/auth?site={subdomain}
  tokenUrl: ${issuer}/token?site={subdomain}
  userinfoUrl: ${issuer}/oauth2/v3/userinfo?site={subdomain}
  apiBaseUrl: ${issuer}/api/{subdomain}
  scopes:
    - { name: openid, description: Identify the connected user }
    - { name: tickets, description: Read and answer tickets }
  defaultScopes: [openid, tickets]
  pkce: required
  tokenEndpointAuthMethod: client_secret_basic
  revocation: { kind: rfc7009, url: '${issuer}/token/revocation' }
  account:
    from: request
    url: ${issuer}/oauth2/v3/userinfo?site={subdomain}
    id: sub
    fields: { login: sub }
  connectionParams:
    - name: subdomain
      description: Your Acme Desk site (acme in acme.acmedesk.example)
      pattern: '[a-z][a-z0-9-]{1,30}'
      example: acme
`;

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  oidc = await startOidcServer({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenEndpointAuthMethod: 'client_secret_basic',
    pkceRequired: true,
    redirectUri: `${baseUrl}/oauth/callback`,
    scopes: ['tickets'],
  });
  directory = mkdtempSync(path.join(tmpdir(), 'providers-file-e2e-'));
  const file = path.join(directory, 'providers.yaml');
  writeFileSync(file, entryYaml(oidc.issuer));
  const started = startService({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'info',
    DATABASE_URL: testDatabaseUrl(await cloneTemplateDatabase()),
    AUTH_JWT_SECRET: JWT_SECRET,
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    PROVIDERS_FILE: file,
    ACMEDESK_CLIENT_ID: CLIENT_ID,
    ACMEDESK_CLIENT_SECRET: CLIENT_SECRET,
  });
  service = started.child;
  serviceOutput = started.output;
  await waitForHealthy(started.exited);
  token = await mintDevelopmentToken({ jwtSecret: JWT_SECRET, issuer: undefined, audience: undefined, orgClaim: 'org' }, { organizationId: ORGANIZATION_ID });
}, 90_000);

afterAll(async () => {
  if (service && service.exitCode === null) {
    const exited = new Promise((resolve) => service?.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  await oidc?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('a provider added only through PROVIDERS_FILE', () => {
  it('is offered, configured, with its connection param', async () => {
    const { data } = await graphql<{ providers: { id: string; name: string; configured: boolean; connectionParams: string[]; connectionParamDetails: unknown[] }[] }>(
      '{ providers { id name configured connectionParams connectionParamDetails { name description pattern example } } }',
    );
    expect(data?.providers.find((provider) => provider.id === 'acmedesk')).toEqual({
      id: 'acmedesk',
      name: 'Acme Desk',
      configured: true,
      connectionParams: ['subdomain'],
      connectionParamDetails: [{ name: 'subdomain', description: 'Your Acme Desk site (acme in acme.acmedesk.example)', pattern: '[a-z][a-z0-9-]{1,30}', example: 'acme' }],
    });
  });

  it('refuses to start a connection without a valid subdomain, naming it and not repeating the value', async () => {
    const start = 'mutation ($input: StartConnectionInput!) { startConnection(input: $input) { authorizationUrl } }';
    const input = { providerId: 'acmedesk', redirectUri: `${baseUrl}/oauth/callback` };
    const missing = await graphql(start, { input });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', connectionParams: { subdomain: expect.stringMatching(/^is required/) } });
    const invalid = await graphql(start, { input: { ...input, connectionParams: { subdomain: 'Not/A Site', extra: 'x' } } });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      connectionParams: { subdomain: expect.stringMatching(/^is not valid/), extra: 'is not a connection param of Acme Desk' },
    });
    expect(JSON.stringify(invalid)).not.toContain('Not/A Site');
  });

  it('connects through the authorization server and /oauth/callback, tests and disconnects', async () => {
    const started = await graphql<{ startConnection: { authorizationUrl: string } }>(
      'mutation ($input: StartConnectionInput!) { startConnection(input: $input) { authorizationUrl } }',
      { input: { providerId: 'acmedesk', redirectUri: `${baseUrl}/oauth/callback`, connectionParams: { subdomain: 'acme' } } },
    );
    expect(started.errors).toBeUndefined();
    const authorizationUrl = new URL(started.data!.startConnection.authorizationUrl);
    expect(authorizationUrl.searchParams.get('site')).toBe('acme');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const callback = await oidc.authorize(authorizationUrl.toString(), { accountId: 'grace' });
    const landed = await fetch(`${baseUrl}/oauth/callback?${callback}`, { redirect: 'manual' });
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe(`${baseUrl}/?connected=acmedesk`);
    const exchange = oidc.requests.find((request) => request.path === '/token' && request.form?.get('grant_type') === 'authorization_code');
    expect(exchange?.query.get('site')).toBe('acme');
    expect(exchange?.authorization).toMatch(/^Basic /);

    const listed = await graphql<{ integrations: { id: string; providerId: string; status: string; metadata: Record<string, string> }[] }>(
      '{ integrations { id providerId status metadata } }',
    );
    const integration = listed.data?.integrations.find((candidate) => candidate.providerId === 'acmedesk');
    expect(integration).toMatchObject({ status: 'CONNECTED', metadata: { login: 'grace' } });

    const tested = await graphql<{ testIntegration: { healthy: boolean; error: string | null } }>(
      'mutation ($id: ID!) { testIntegration(id: $id) { healthy error } }',
      { id: integration!.id },
    );
    expect(tested.data?.testIntegration).toEqual({ healthy: true, error: null });
    expect(oidc.requests.filter((request) => request.path === '/oauth2/v3/userinfo').every((request) => request.query.get('site') === 'acme')).toBe(true);

    const disconnected = await graphql<{ disconnectIntegration: { status: string; errorMessage: string | null } }>(
      'mutation ($id: ID!) { disconnectIntegration(id: $id) { status errorMessage } }',
      { id: integration!.id },
    );
    expect(disconnected.data?.disconnectIntegration).toEqual({ status: 'DISCONNECTED', errorMessage: null });
    expect(oidc.revocationRequests()).toHaveLength(1);
  }, 60_000);
});

describe('a bad PROVIDERS_FILE', () => {
  it('stops start-up with exit code 78 and a line naming the entry and the field', async () => {
    const file = path.join(directory, 'bad.yaml');
    writeFileSync(file, entryYaml(oidc.issuer).replace(/tokenUrl: .*/, 'tokenUrl: acmedesk.example/oauth/token'));
    const { exited, output } = startService({ NODE_ENV: 'test', PROVIDERS_FILE: file, AUTH_JWT_SECRET: JWT_SECRET });
    expect(await exited).toBe(78);
    expect(output()).toBe(
      'configuration error: PROVIDERS_FILE: entry "acmedesk": tokenUrl: must be an http(s) URL (placeholders like {subdomain} allowed)\n',
    );
  }, 60_000);
});
