import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { BaseIntegrationClient, IntegrationError, type BaseIntegrationClientOptions } from '../../src/providers/base-client.js';
import { getProviderHealth, ProviderBreakerRegistry, resetProviderBreakers } from '../../src/resilience/index.js';
import { FlakyServer, json } from './support/flaky-server.js';

let server: FlakyServer;

beforeAll(async () => {
  server = await new FlakyServer().start();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.otherwise(json(200, { ok: true }));
  resetProviderBreakers();
});

const FAST: BaseIntegrationClientOptions = { retry: { maxAttempts: 2, initialDelay: 1 }, timeout: 2_000 };

// The seed's first style: the name goes to super().
class MyServiceClient extends BaseIntegrationClient {
  constructor(
    private readonly apiUrl: string,
    options: BaseIntegrationClientOptions = FAST,
  ) {
    super('my-service', options);
  }

  async getUserProfile(accessToken: string) {
    return this.request({ url: `${this.apiUrl}/user/profile`, method: 'GET', headers: { Authorization: `Bearer ${accessToken}` } });
  }

  async createResource(accessToken: string, data: Record<string, unknown>) {
    return this.request({ url: `${this.apiUrl}/resources`, method: 'POST', headers: { Authorization: `Bearer ${accessToken}` }, body: data });
  }
}

// The seed's second style: class fields, no constructor, a testConnection hook.
class AsanaClient extends BaseIntegrationClient {
  protected serviceName = 'asana-test';
  protected baseUrl = server.url;

  async exchangeCodeForToken(code: string, redirectUri: string) {
    return this.request({
      url: `${this.baseUrl}/-/oauth_token`,
      method: 'POST',
      body: { client_id: 'client-1', client_secret: 'super-secret-client-value', code, redirect_uri: redirectUri, grant_type: 'authorization_code' },
    });
  }

  async getWorkspaces(accessToken: string) {
    return this.request({ url: 'workspaces', method: 'GET', headers: { Authorization: `Bearer ${accessToken}` } });
  }

  async testConnection(accessToken: string): Promise<boolean> {
    try {
      await this.getWorkspaces(accessToken);
      return true;
    } catch {
      return false;
    }
  }
}

describe('BaseIntegrationClient', () => {
  it('works subclassed with super(name): JSON out and in, Authorization sent', async () => {
    server.next(json(200, { name: 'Ada' }), json(201, { id: 'r1' }));
    const client = new MyServiceClient(server.url);
    await expect(client.getUserProfile('tok-1')).resolves.toEqual({ name: 'Ada' });
    await expect(client.createResource('tok-1', { title: 'x' })).resolves.toEqual({ id: 'r1' });
    expect(client.getServiceName()).toBe('my-service');
    expect(server.requests.map((request) => [request.method, request.url, request.headers.authorization])).toEqual([
      ['GET', '/user/profile', 'Bearer tok-1'],
      ['POST', '/resources', 'Bearer tok-1'],
    ]);
  });

  it('works subclassed with serviceName/baseUrl fields, resolving relative URLs against baseUrl', async () => {
    server.next(json(200, { data: [{ gid: '1' }] }));
    const client = new AsanaClient();
    await expect(client.getWorkspaces('tok-2')).resolves.toEqual({ data: [{ gid: '1' }] });
    expect(client.getServiceName()).toBe('asana-test');
    expect(server.requests[0]?.url).toBe('/workspaces');
  });

  it('wraps failures in IntegrationError with status, parsed body, service and code', async () => {
    server.next(json(404, { errors: [{ message: 'Not found' }] }));
    const error = await new MyServiceClient(server.url).getUserProfile('tok').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ statusCode: 404, service: 'my-service', code: 'PROVIDER_REQUEST_REJECTED', name: 'IntegrationError' });
    expect((error as IntegrationError).response).toEqual({ errors: [{ message: 'Not found' }] });
    // The body stays off the enumerable properties a logger would serialize.
    expect(Object.keys(error as object)).not.toContain('response');
  });

  it('retries network errors (the seed example: the second fetch succeeds)', async () => {
    server.next({ drop: true }, json(200, { data: 'success' }));
    await expect(new MyServiceClient(server.url).getUserProfile('token')).resolves.toEqual({ data: 'success' });
    expect(server.requests).toHaveLength(2);
  });

  it('uses one breaker per service, visible through getProviderHealth', async () => {
    server.otherwise(json(500, {}));
    const options: BaseIntegrationClientOptions = { retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 2, resetTimeout: 60_000 } };
    const first = new MyServiceClient(server.url, options);
    const second = new MyServiceClient(server.url, options);
    await expect(first.getUserProfile('t')).rejects.toThrow(IntegrationError);
    await expect(second.getUserProfile('t')).rejects.toThrow(IntegrationError);
    expect(getProviderHealth('my-service')).toMatchObject({ circuitState: 'OPEN', consecutiveFailures: 2 });
    const connections = server.connections;
    await expect(first.getUserProfile('t')).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', kind: 'CIRCUIT_OPEN' });
    expect(server.connections).toBe(connections);
    expect(getProviderHealth('never-called')).toEqual({ circuitState: 'CLOSED', consecutiveFailures: 0, lastFailureAt: null, lastError: null });
  });

  it('healthCheck runs the subclass testConnection and reports the breaker', async () => {
    server.next(json(200, { data: [] }), json(401, { errors: [{ message: 'Not Authorized' }] }));
    const client = new AsanaClient();
    const good = await client.healthCheck('good-token');
    expect(good).toMatchObject({ service: 'asana-test', healthy: true, breaker: { circuitState: 'CLOSED' } });
    expect(good.latencyMs).toBeGreaterThanOrEqual(0);
    const bad = await client.healthCheck('bad-token');
    expect(bad).toMatchObject({ healthy: false, error: 'asana-test refused the credentials' });
    const withoutToken = await new MyServiceClient(server.url).healthCheck();
    expect(withoutToken).toMatchObject({ service: 'my-service', healthy: true });
    expect(withoutToken.latencyMs).toBeUndefined();
  });

  it('an instance registry can be passed in instead of the process one', async () => {
    const breakers = new ProviderBreakerRegistry();
    server.next(json(500, {}));
    await expect(new MyServiceClient(server.url, { retry: { maxAttempts: 1 }, breakers }).getUserProfile('t')).rejects.toThrow(IntegrationError);
    expect(breakers.health('my-service').consecutiveFailures).toBe(1);
    expect(getProviderHealth('my-service').consecutiveFailures).toBe(0);
  });
});

describe('logging', () => {
  it('logs requests, retries and failures without any secret', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'debug' }, destination);
    const secrets = ['tok-bearer-secret-1', 'super-secret-client-value', 'auth-code-secret', 'refresh-secret-9', 'verifier-secret-7', 'query-token-secret'];

    class LoggedClient extends BaseIntegrationClient {
      constructor() {
        super('logged', { logger, retry: { maxAttempts: 2, initialDelay: 1 } });
      }
      call(config: Parameters<BaseIntegrationClient['request']>[0]) {
        return this.request(config);
      }
    }
    const client = new LoggedClient();
    server.next(json(503, { error: 'down' }), json(200, { access_token: 'ignored' }));
    await client.call({ url: `${server.url}/profile?access_token=query-token-secret&page=2`, method: 'GET', headers: { Authorization: 'Bearer tok-bearer-secret-1' } });
    server.next(json(400, { error: 'invalid_grant' }));
    await client
      .call({
        url: `${server.url}/token`,
        method: 'POST',
        body: { client_secret: 'super-secret-client-value', code: 'auth-code-secret', code_verifier: 'verifier-secret-7', grant_type: 'authorization_code' },
      })
      .catch(() => undefined);
    server.next(json(401, {}));
    await client
      .call({ url: `${server.url}/token`, method: 'POST', body: new URLSearchParams({ refresh_token: 'refresh-secret-9', grant_type: 'refresh_token' }) })
      .catch(() => undefined);

    const output = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(output).toContain('retrying provider request');
    expect(output).toContain('provider request failed');
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('page=2');
    expect(output).toContain('grant_type');
    // The provider's own error code reaches the failure's line; its body does not.
    expect(output).toMatch(/"providerError":\{"code":"invalid_grant"\}/);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
