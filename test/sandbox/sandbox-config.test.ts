import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { configError } from '../config/support/config-error.js';

/**
 * `SANDBOX_ENABLED`: on by default outside production (the sandbox provider is then in the
 * registry first, configured with the client the service registers with it), off by default in
 * production, and refused there when asked for, at start-up, naming the variable.
 */
const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_JWT_SECRET: 'sandbox-config-test-secret-0123456789abcdef',
  INTEGRATION_ENCRYPTION_KEY: 'a'.repeat(64),
};

describe('SANDBOX_ENABLED', () => {
  it('is on by default in development: the sandbox entry comes first and is configured, its URLs on PUBLIC_URL', () => {
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:4100' });
    expect(config.sandbox).toEqual({ subscriptionMinutes: 5 });
    expect([...config.providerRegistry.keys()][0]).toBe('sandbox');
    expect(config.providerRegistry.get('sandbox')).toMatchObject({ issuer: 'http://localhost:4100/sandbox/oauth', apiBaseUrl: 'http://localhost:4100/sandbox/api' });
    expect(config.providers.sandbox).toMatchObject({ clientId: expect.any(String), clientSecret: expect.any(String) });
  });

  it('can be turned off, and sets the subscription lifetime', () => {
    const off = loadConfig({ SANDBOX_ENABLED: 'false' });
    expect(off.sandbox).toBeUndefined();
    expect(off.providerRegistry.has('sandbox')).toBe(false);
    expect(loadConfig({ SANDBOX_SUBSCRIPTION_MINUTES: '2' }).sandbox).toEqual({ subscriptionMinutes: 2 });
    expect(configError({ SANDBOX_SUBSCRIPTION_MINUTES: '0' }).variable).toBe('SANDBOX_SUBSCRIPTION_MINUTES');
  });

  it('is off by default in production and refused when asked for', () => {
    expect(loadConfig(PRODUCTION).providerRegistry.has('sandbox')).toBe(false);
    const error = configError({ ...PRODUCTION, SANDBOX_ENABLED: 'true' });
    expect(error.variable).toBe('SANDBOX_ENABLED');
    expect(error.message).toMatch(/production/);
  });

  it('refuses a PROVIDERS_FILE entry with the sandbox id', () => {
    const file = path.join(import.meta.dirname, 'support', 'sandbox-id-providers.yaml');
    expect(configError({ PROVIDERS_FILE: file }).message).toMatch(/^PROVIDERS_FILE: entry "sandbox"/);
    expect(loadConfig({ PROVIDERS_FILE: file, SANDBOX_ENABLED: 'false' }).providerRegistry.get('sandbox')?.name).toBe('A provider of our own called sandbox');
  });

  it('stops a production start-up with exit 78 and a line naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...PRODUCTION, SANDBOX_ENABLED: 'true', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toMatch(/^configuration error: SANDBOX_ENABLED: /);
  }, 30_000);
});
