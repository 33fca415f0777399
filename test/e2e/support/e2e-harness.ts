import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** What the browser end-to-end tests share: Chromium's settings, the service's start-up, clean-up. */

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Without these Chromium stalls on a closed network (QUIC probes, component updates, sync). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A status badge inside `scope`: an aria-hidden symbol, then the word (so `getByText(word, { exact })` misses it). */
export const statusBadge = (scope: Locator, word: string): Locator => scope.locator('.badge').filter({ hasText: new RegExp(`^\\W*${word}$`) });

const isLoopback = (url: string): boolean => {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

export const closeServer = (server: Server | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Runs a clean-up step, bounded, remembering (not throwing) what went wrong so the others still run. */
export async function cleanUp(name: string, step: () => Promise<unknown> | unknown, errors: string[], timeoutMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(step),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    errors.push(`${name}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForHealthy(baseUrl: string, service: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (service.exitCode !== null || service.signalCode !== null) {
      throw new Error(`the service exited (${service.exitCode ?? service.signalCode}):\n${output()}`);
    }
    try {
      if ((await fetch(new URL('/healthz', baseUrl), { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service did not become healthy within 60 s:\n${output()}`);
}

/** The environment of the service: this process's, minus anything that would configure it otherwise. */
function serviceEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) =>
      !/^(GOOGLE|SLACK|MICROSOFT|ASANA|SANDBOX|AUTH|INTEGRATION_ENCRYPTION|WEBHOOK)_/.test(name) &&
      !['DATABASE_URL', 'DATABASE_CREATE', 'REDIS_URL', 'REDIS_PREFIX', 'UI_URL', 'ALLOWED_REDIRECT_URIS', 'PUBLIC_URL', 'HOST', 'PORT', 'DATA_DIR', 'NODE_ENV', 'LOG_LEVEL'].includes(name),
  );
  return { ...Object.fromEntries(inherited), ...overrides };
}

/** A page whose problems are recorded rather than thrown, so the last step can assert there were none. */
export interface TrackedPage {
  page: Page;
  /** Page errors and 4xx/5xx answers of the service. */
  problems: string[];
  /** Requests that would have left the machine (aborted), with the page that made them. */
  blocked: { url: string; from: string }[];
}

/** A page in a fresh context where nothing leaves the machine and the service's failures are noted. */
export async function openTrackedPage(browser: Browser, onService: (url: string) => boolean): Promise<TrackedPage> {
  const problems: string[] = [];
  const blocked: { url: string; from: string }[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  // Nothing leaves the machine: oidc-provider's development pages, for one, @import a web font.
  await context.route(
    (url) => !isLoopback(url.toString()),
    async (route) => {
      let from = '';
      try {
        from = route.request().frame().url();
      } catch {
        // a worker's request has no frame
      }
      blocked.push({ url: route.request().url(), from });
      await route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    // The providers' pages are not ours to judge; the service's answers are.
    if (response.status() >= 400 && onService(response.url())) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return { page, problems, blocked };
}

/**
 * The service (`src/main.ts`, started with `env` on top of this process's cleaned environment)
 * and Chromium, started at once. `close` stops both whatever happened before, so nothing is left
 * behind; `output` is what the service printed.
 */
export class E2ESession {
  readonly service: ChildProcess;
  private printed = '';
  private readonly launching: Promise<Browser | undefined>;
  private launchError: unknown;
  private readonly killService = () => {
    if (this.service.exitCode === null && this.service.signalCode === null) this.service.kill('SIGKILL');
  };

  constructor(env: Record<string, string>) {
    // Node 24: under `npm run`, node_modules/.bin/node is the project's own.
    this.service = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
      cwd: process.cwd(),
      env: serviceEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    process.once('exit', this.killService);
    this.service.stdout?.on('data', (chunk: Buffer) => (this.printed += chunk.toString()));
    this.service.stderr?.on('data', (chunk: Buffer) => (this.printed += chunk.toString()));
    this.launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }).catch((error: unknown) => {
      this.launchError = error;
      return undefined;
    });
  }

  output(): string {
    return this.printed;
  }

  /** Chromium, once the service at `baseUrl` answers `/healthz`. */
  async ready(baseUrl: string): Promise<Browser> {
    await waitForHealthy(baseUrl, this.service, () => this.printed.slice(-4000));
    const browser = await this.launching;
    if (!browser) throw this.launchError;
    return browser;
  }

  /** Closes Chromium, then stops the service (SIGTERM, SIGKILL after 10 s); what failed goes to `errors`. */
  async close(errors: string[]): Promise<void> {
    await cleanUp('browser', async () => (await this.launching)?.close(), errors, 40_000);
    await cleanUp(
      'service',
      async () => {
        if (this.service.exitCode !== null || this.service.signalCode !== null) return;
        const exited = new Promise((resolve) => this.service.once('exit', resolve));
        this.service.kill('SIGTERM');
        const timer = setTimeout(this.killService, 10_000);
        await exited;
        clearTimeout(timer);
      },
      errors,
    );
    process.off('exit', this.killService);
  }
}
