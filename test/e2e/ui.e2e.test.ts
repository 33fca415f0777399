/**
 * End-to-end UI test in headless Chromium (playwright-core): open the page, connect Slack through
 * a provider login/consent page on loopback, see CONNECTED, post a signed webhook and watch it
 * progress live, disconnect with confirmation, open the health view.
 *
 * Opt-in, so `npm run test:server` stays fast and green without a browser:
 *   E2E=1                 start everything here: a loopback fake of Slack's OAuth endpoints and
 *                         the service (`src/main.ts`, development mode, embedded PostgreSQL in a
 *                         temporary DATA_DIR) pointed at it through SLACK_*_URL overrides
 *   E2E_BASE_URL=...      or use a service already running there; then also set
 *                         E2E_SLACK_SIGNING_SECRET / E2E_SLACK_TEAM_ID for the webhook step, and
 *                         E2E_TOKEN unless the service serves /auth/dev-token
 *   CHROMIUM_PATH         default /usr/bin/chromium (`apt-get install -y chromium`)
 * The client must be built first (`npm run build:client`). Screenshots: test-artifacts/ui/ (git-ignored).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';

const PROVIDER_NAME = 'Slack';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');
const SELF_HOSTED = process.env.E2E === '1' && !process.env.E2E_BASE_URL;
const run = process.env.E2E_BASE_URL || SELF_HOSTED ? describe : describe.skip;

/** Slack's team id the fake install returns; Events API webhooks are routed by it. */
const TEAM_ID = process.env.E2E_SLACK_TEAM_ID ?? 'T0E2E';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Slack's OAuth v2 endpoints as far as the connect and disconnect flows use them
 * (https://docs.slack.dev/authentication/installing-with-oauth): a consent page with an Allow
 * button that redirects back with a code, `oauth.v2.access`, `auth.test`, `auth.revoke`.
 */
async function startFakeSlack(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const json = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    request.resume();
    request.on('end', () => {
      if (url.pathname === '/oauth/v2/authorize') {
        const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://invalid');
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        const escaped = back.toString().replace(/&/g, '&amp;').replace(/"/g, '&quot;');
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(
          `<!doctype html><title>Slack</title><h1>Allow E2E app to access E2E Team?</h1>` +
            `<form method="get" action="/approve"><input type="hidden" name="to" value="${escaped}"><button type="submit">Allow</button></form>`,
        );
      } else if (url.pathname === '/approve') {
        const to = new URL(url.searchParams.get('to') ?? 'http://invalid');
        to.searchParams.set('code', `e2e-code-${Date.now()}`);
        response.writeHead(302, { location: to.toString() });
        response.end();
      } else if (url.pathname === '/api/oauth.v2.access') {
        json({
          ok: true,
          access_token: 'xoxb-e2e-token',
          token_type: 'bot',
          scope: 'chat:write,channels:read',
          bot_user_id: 'B0E2E',
          app_id: 'AE2E',
          team: { id: TEAM_ID, name: 'E2E Team' },
          authed_user: { id: 'U0E2E' },
        });
      } else if (url.pathname === '/api/auth.test') {
        json({ ok: true, team: 'E2E Team', team_id: TEAM_ID, user: 'e2e', user_id: 'U0E2E', bot_id: 'B0E2E' });
      } else if (url.pathname.startsWith('/api/')) {
        json({ ok: true, revoked: url.pathname === '/api/auth.revoke' ? true : undefined });
      } else {
        response.writeHead(404);
        response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function waitForHealthy(baseUrl: string, service: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (service.exitCode !== null) throw new Error(`the service exited (${service.exitCode}):\n${output()}`);
    try {
      if ((await fetch(new URL('/healthz', baseUrl))).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the service did not become healthy:\n${output()}`);
}

function signedSlackEvent(secret: string, eventId: string) {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: TEAM_ID,
    api_app_id: 'AE2E',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_mention', user: 'U0E2E', text: 'hello from e2e', channel: 'C001', ts: `${Date.now() / 1000}` },
  });
  // https://docs.slack.dev/authentication/verifying-requests-from-slack
  const timestamp = `${Math.floor(Date.now() / 1000)}`;
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
  };
}

run('integrations UI in a real browser', () => {
  let baseUrl = process.env.E2E_BASE_URL ?? '';
  let signingSecret = process.env.E2E_SLACK_SIGNING_SECRET;
  let browser: Browser | undefined;
  let page: Page;
  let service: ChildProcess | undefined;
  let fakeSlack: Server | undefined;
  let dataDir: string | undefined;
  const problems: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const card = () => page.getByRole('article', { name: PROVIDER_NAME });
  /** The card's status badge (a symbol, aria-hidden, then the word). */
  const badge = (word: string) => card().locator('.badge').filter({ hasText: new RegExp(`^\\W*${word}$`) });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (SELF_HOSTED) {
      const slack = await startFakeSlack();
      fakeSlack = slack.server;
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      signingSecret = 'e2e-signing-secret';
      dataDir = mkdtempSync(join(tmpdir(), 'integrations-e2e-'));
      let output = '';
      service = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
        cwd: process.cwd(),
        env: {
          ...process.env,
          NODE_ENV: 'development',
          PORT: String(port),
          PUBLIC_URL: baseUrl,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          DATABASE_URL: '',
          AUTH_JWT_SECRET: '',
          AUTH_JWKS_URL: '',
          REDIS_URL: '',
          SLACK_CLIENT_ID: 'e2e-client-id',
          SLACK_CLIENT_SECRET: 'e2e-client-secret',
          SLACK_SIGNING_SECRET: signingSecret,
          SLACK_AUTHORIZATION_URL: `${slack.url}/oauth/v2/authorize`,
          SLACK_TOKEN_URL: `${slack.url}/api/oauth.v2.access`,
          SLACK_API_BASE_URL: `${slack.url}/api`,
          SLACK_REVOCATION_URL: `${slack.url}/api/auth.revoke`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      service.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      service.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitForHealthy(baseUrl, service, () => output.slice(-4000));
    }

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      const url = new URL(response.url());
      // The provider's own pages are not ours to judge; a GraphQL error is, below.
      if (response.status() >= 400 && url.origin === new URL(baseUrl).origin) problems.push(`${response.status()} ${url.pathname}`);
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (service && service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((resolve) => service?.once('exit', resolve));
    }
    await new Promise((resolve) => (fakeSlack ? fakeSlack.close(resolve) : resolve(undefined)));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('opens the page and lists every provider, live', async () => {
    const url = new URL('/', baseUrl);
    if (process.env.E2E_TOKEN) url.searchParams.set('token', process.env.E2E_TOKEN);
    await page.goto(url.toString());
    await card().waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    await shot('01-list');
  }, 40_000);

  it('connects through the provider consent page and shows CONNECTED', async () => {
    await page.getByRole('button', { name: `Connect ${PROVIDER_NAME}` }).click();
    const dialog = page.getByRole('dialog', { name: `Connect ${PROVIDER_NAME}` });
    await dialog.getByRole('checkbox').first().waitFor();
    await shot('02-connect-dialog');
    await dialog.getByRole('button', { name: `Continue to ${PROVIDER_NAME}` }).click();
    await page.waitForURL((u) => u.origin !== new URL(baseUrl).origin, { timeout: 15_000 });
    await shot('03-provider-consent');
    await page.getByRole('button', { name: /allow|authori[sz]e|approve|continue/i }).first().click();
    await page.waitForURL((u) => u.origin === new URL(baseUrl).origin, { timeout: 15_000 });

    await page.getByRole('status').filter({ hasText: `${PROVIDER_NAME} is connected` }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).searchParams.has('connected')).toBe(false);
    await badge('Connected').waitFor();
    await shot('04-connected');
  }, 60_000);

  it('shows a signed webhook progress live on the activity page', async () => {
    if (!signingSecret) {
      console.warn('E2E_SLACK_SIGNING_SECRET is not set: webhook step skipped');
      return;
    }
    await card().getByRole('link', { name: `Webhook activity for ${PROVIDER_NAME}` }).click();
    await page.getByRole('heading', { name: `${PROVIDER_NAME} webhook activity` }).waitFor();

    const { body, headers } = signedSlackEvent(signingSecret, `Ev${Date.now()}`);
    const response = await fetch(new URL('/webhooks/slack', baseUrl), { method: 'POST', headers, body });
    expect(response.status).toBeLessThan(300);

    // No reload: the row appears and reaches a final status through the subscription.
    const row = page.getByRole('row', { name: /app_mention/ });
    await row.waitFor({ timeout: 15_000 });
    await row.getByText(/^(Completed|Failed)$/).waitFor({ timeout: 30_000 });
    await shot('05-webhook-activity');
  }, 60_000);

  it('disconnects after confirmation', async () => {
    await page.goto(new URL('/#/', baseUrl).toString());
    await card().getByRole('button', { name: `Disconnect ${PROVIDER_NAME}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Disconnect ${PROVIDER_NAME}?` });
    await confirm.waitFor();
    await shot('06-disconnect-confirm');
    await confirm.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await confirm.waitFor({ state: 'detached', timeout: 15_000 });
    await badge('Disconnected').waitFor({ timeout: 15_000 });
    await shot('07-disconnected');
  }, 40_000);

  it('shows the health view, and nothing failed along the way', async () => {
    await page.goto(new URL('/#/health', baseUrl).toString());
    await page.getByRole('heading', { name: 'Webhook queue' }).waitFor({ timeout: 15_000 });
    await shot('08-health');
    expect(problems).toEqual([]);
  }, 30_000);
});
