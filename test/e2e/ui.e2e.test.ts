/**
 * End-to-end UI test in headless Chromium (playwright-core), run by `npm run test:e2e` (which
 * makes sure Chromium is there and builds the client first); `npm run test:server` does not run it.
 *
 * It starts everything it needs on 127.0.0.1 and stops it afterwards, failed or not:
 * - a real OAuth 2.0 / OpenID Connect server (oidc-provider, test/support/oidc-server.ts) as
 *   "Google Workspace", through the GOOGLE_*_URL overrides; its userinfo endpoint is served where
 *   Google serves it, so the Google client's `testConnection` lands there too;
 * - a small fake of Slack's OAuth endpoints (Slack's token response is not standard OAuth), so a
 *   Slack integration can receive a signed Events API webhook routed by its `team_id`;
 * - the service (`src/main.ts`, development mode, embedded PostgreSQL in a temporary DATA_DIR);
 * - Chromium, with every request that would leave the machine aborted and reported.
 *
 * The browser: opens the page, connects Google through oidc-provider's own login and consent
 * pages, sees CONNECTED and the success notice, tests the connection, connects Slack, posts a
 * signed Slack event and watches its status change live, disconnects Google after confirming,
 * sees DISCONNECTED, opens the health view.
 *
 * CHROMIUM_PATH overrides /usr/bin/chromium. Screenshots and the service's log:
 * test-artifacts/ui/ (git-ignored).
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Frame, Page } from 'playwright-core';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import { freePort } from '../support/free-port.js';
import { cleanUp, closeServer, E2ESession, openTrackedPage, statusBadge, type TrackedPage } from './support/e2e-harness.js';

const GOOGLE = 'Google Workspace';
const SLACK = 'Slack';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');

const GOOGLE_CLIENT_ID = 'e2e-google-client';
const GOOGLE_CLIENT_SECRET = 'e2e-google-client-secret-0123456789abcdef';
const SLACK_SIGNING_SECRET = 'e2e-slack-signing-secret';
/** The Slack workspace the fake install returns; Events API webhooks are routed by it. */
const SLACK_TEAM_ID = 'T0E2E';
/** The login typed into oidc-provider's login page: it becomes the account's `sub`. */
const GOOGLE_LOGIN = 'alice';

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
          team: { id: SLACK_TEAM_ID, name: 'E2E Team' },
          authed_user: { id: 'U0E2E' },
        });
      } else if (url.pathname === '/api/auth.test') {
        json({ ok: true, team: 'E2E Team', team_id: SLACK_TEAM_ID, user: 'e2e', user_id: 'U0E2E', bot_id: 'B0E2E' });
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

function signedSlackEvent(eventId: string) {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: SLACK_TEAM_ID,
    api_app_id: 'AE2E',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_mention', user: 'U0E2E', text: 'hello from e2e', channel: 'C001', ts: `${Date.now() / 1000}` },
  });
  // https://docs.slack.dev/authentication/verifying-requests-from-slack
  const timestamp = `${Math.floor(Date.now() / 1000)}`;
  const signature = `v0=${createHmac('sha256', SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
  };
}

describe('integrations UI in a real browser', () => {
  let baseUrl = '';
  let session: E2ESession | undefined;
  let page: Page;
  let oidc: OidcServer | undefined;
  let fakeSlack: Server | undefined;
  let dataDir: string | undefined;
  let problems: TrackedPage['problems'] = [];
  let blocked: TrackedPage['blocked'] = [];

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  const card = (name: string) => page.getByRole('article', { name });
  /** A card's status badge (a symbol, aria-hidden, then the word). */
  const badge = (name: string, word: string) => statusBadge(card(name), word);
  const onService = (url: URL | string) => new URL(url).origin === new URL(baseUrl).origin;

  beforeAll(async () => {
    // oidc-provider's development-only notices (in-memory adapter, dev interactions) are expected here.
    for (const level of ['warn', 'info'] as const) {
      const original = console[level].bind(console);
      console[level] = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && /^oidc-provider (WARNING|NOTICE):/.test(args[0])) return;
        original(...args);
      };
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const file of readdirSync(ARTIFACTS)) if (/\.(png|log)$/.test(file)) rmSync(join(ARTIFACTS, file), { force: true });

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    oidc = await startOidcServer({ clientId: GOOGLE_CLIENT_ID, clientSecret: GOOGLE_CLIENT_SECRET, redirectUri: `${baseUrl}/oauth/callback` });
    const slack = await startFakeSlack();
    fakeSlack = slack.server;
    dataDir = mkdtempSync(join(tmpdir(), 'integrations-e2e-'));

    // Chromium starts while the service does; afterAll closes both either way, so neither is left behind.
    session = new E2ESession({
      NODE_ENV: 'development',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      GOOGLE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET,
      GOOGLE_ISSUER: oidc.issuer,
      GOOGLE_AUTHORIZATION_URL: `${oidc.issuer}/auth`,
      GOOGLE_TOKEN_URL: `${oidc.issuer}/token`,
      GOOGLE_REVOCATION_URL: `${oidc.issuer}/token/revocation`,
      GOOGLE_USERINFO_URL: `${oidc.issuer}/oauth2/v3/userinfo`,
      // The Google client calls `${apiBaseUrl}/oauth2/v3/userinfo`: oidc-provider serves it there.
      GOOGLE_API_BASE_URL: oidc.issuer,
      // It serves no Calendar API, though: the default subscription stays PENDING here
      // (test/subscriptions covers the scheduler against the provider fakes).
      SUBSCRIPTION_SCHEDULER: 'off',
      SLACK_CLIENT_ID: 'e2e-slack-client.id',
      SLACK_CLIENT_SECRET: 'e2e-slack-client-secret',
      SLACK_SIGNING_SECRET,
      SLACK_AUTHORIZATION_URL: `${slack.url}/oauth/v2/authorize`,
      SLACK_TOKEN_URL: `${slack.url}/api/oauth.v2.access`,
      SLACK_API_BASE_URL: `${slack.url}/api`,
      SLACK_REVOCATION_URL: `${slack.url}/api/auth.revoke`,
    });
    ({ page, problems, blocked } = await openTrackedPage(await session.ready(baseUrl), onService));
  }, 90_000);

  afterAll(async () => {
    const errors: string[] = [];
    await session?.close(errors);
    await cleanUp('OAuth server', () => oidc?.close(), errors);
    await cleanUp('fake Slack', () => closeServer(fakeSlack), errors);
    await cleanUp('data directory', () => dataDir && rmSync(dataDir, { recursive: true, force: true }), errors);
    if (session?.output()) writeFileSync(join(ARTIFACTS, 'service.log'), session.output());
    if (errors.length > 0) throw new Error(`clean-up failed: ${errors.join('; ')}`);
  }, 90_000);

  it('opens the page and lists every provider, live', async () => {
    await page.goto(new URL('/', baseUrl).toString());
    await card(GOOGLE).waitFor({ timeout: 20_000 });
    await card(SLACK).waitFor();
    // The development token was picked up by itself and is not left in the address bar.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.getByText('Live', { exact: true }).waitFor();
    await badge(GOOGLE, 'Not connected').waitFor();
    await shot('01-list');
  }, 40_000);

  it(`connects ${GOOGLE} through the OAuth server's login and consent pages and shows CONNECTED`, async () => {
    await page.getByRole('button', { name: `Connect ${GOOGLE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Connect ${GOOGLE}` });
    await dialog.getByRole('checkbox').first().waitFor();
    await shot('02-connect-dialog');
    await dialog.getByRole('button', { name: `Continue to ${GOOGLE}` }).click();

    // oidc-provider's own login page (development interactions): any login works.
    await page.waitForURL((url) => url.origin === oidc!.issuer && url.pathname.startsWith('/interaction/'), { timeout: 15_000 });
    await page.getByPlaceholder('Enter any login').fill(GOOGLE_LOGIN);
    await page.getByPlaceholder('and password').fill('any-password');
    await shot('03-provider-login');
    await page.getByRole('button', { name: 'Sign-in' }).click();

    // Then its consent page, listing the scopes asked for.
    const authorize = page.getByRole('button', { name: /^(continue|authori[sz]e|allow)$/i });
    await authorize.waitFor();
    expect(page.url().startsWith(`${oidc!.issuer}/interaction/`)).toBe(true);
    await page.getByText('https://www.googleapis.com/auth/calendar', { exact: true }).waitFor();
    await shot('04-provider-consent');
    await authorize.click();

    // Back through /oauth/callback (code exchanged with the PKCE verifier) to the page.
    await page.waitForURL((url) => onService(url), { timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: `${GOOGLE} is connected` }).waitFor();
    expect(new URL(page.url()).searchParams.has('connected')).toBe(false);
    await badge(GOOGLE, 'Connected').waitFor();
    // The default subscription made with the connection shows on the card.
    await card(GOOGLE).getByRole('listitem', { name: 'calendar/primary' }).getByText('Setting up').waitFor();
    expect(oidc!.requests.some((request) => request.path === '/token' && request.form?.get('grant_type') === 'authorization_code')).toBe(true);
    expect(oidc!.requests.find((request) => request.path === '/token')?.form?.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    await shot('05-google-connected');
  }, 60_000);

  it(`tests the ${GOOGLE} connection against the OAuth server's userinfo endpoint`, async () => {
    const userinfoCalls = () => oidc!.requests.filter((request) => request.path === '/oauth2/v3/userinfo').length;
    const before = userinfoCalls();
    await card(GOOGLE).getByRole('button', { name: `Test ${GOOGLE} connection` }).click();
    await card(GOOGLE).getByRole('status').filter({ hasText: /^Connection works/ }).waitFor();
    expect(userinfoCalls()).toBeGreaterThan(before);
    await shot('06-google-tested');
  }, 30_000);

  it(`connects ${SLACK} through its consent page`, async () => {
    await page.getByRole('button', { name: `Connect ${SLACK}` }).click();
    const dialog = page.getByRole('dialog', { name: `Connect ${SLACK}` });
    await dialog.getByRole('checkbox').first().waitFor();
    await dialog.getByRole('button', { name: `Continue to ${SLACK}` }).click();
    await page.waitForURL((url) => !onService(url), { timeout: 15_000 });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => onService(url), { timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: `${SLACK} is connected` }).waitFor();
    await badge(SLACK, 'Connected').waitFor();
    await badge(GOOGLE, 'Connected').waitFor();
    await shot('07-slack-connected');
  }, 60_000);

  it('shows a signed Slack webhook progress live on the activity page', async () => {
    await card(SLACK).getByRole('link', { name: `Webhook activity for ${SLACK}` }).click();
    await page.getByRole('heading', { name: `${SLACK} webhook activity` }).waitFor();
    await page.getByRole('heading', { name: 'No webhook events yet' }).waitFor();

    // Every status the row shows, as the DOM changes: proves the progress arrives live.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStatuses: string[] }).seenStatuses = seen;
      const record = () => {
        for (const row of document.querySelectorAll('tbody tr')) {
          if (row.querySelector('th')?.textContent?.trim() !== 'app_mention') continue;
          const status = row.querySelector('.badge')?.textContent?.replace(/^\W+/, '').trim() ?? '';
          if (status && seen.at(-1) !== status) seen.push(status);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    let navigations = 0;
    const countNavigation = (frame: Frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    };
    page.on('framenavigated', countNavigation);

    const { body, headers } = signedSlackEvent(`Ev${Date.now()}`);
    const response = await fetch(new URL('/webhooks/slack', baseUrl), { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);

    // No reload: the row appears and reaches its final status through the subscription.
    const row = page.getByRole('row', { name: /app_mention/ });
    await row.waitFor();
    await shot('08-webhook-received');
    await statusBadge(row, 'Completed').waitFor({ timeout: 30_000 });
    await shot('09-webhook-completed');
    page.off('framenavigated', countNavigation);

    const seen = await page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
    console.info(`webhook statuses seen live: ${seen.join(' → ')}`);
    expect(navigations).toBe(0);
    expect(seen.at(-1)).toBe('Completed');
    expect(['Pending', 'Processing']).toContain(seen[0]);
  }, 60_000);

  it(`disconnects ${GOOGLE} after confirmation, revoking at the OAuth server`, async () => {
    await page.getByRole('link', { name: '← All integrations' }).click();
    await card(GOOGLE).getByRole('button', { name: `Disconnect ${GOOGLE}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Disconnect ${GOOGLE}?` });
    await confirm.waitFor();
    await shot('10-disconnect-confirm');
    await confirm.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await badge(GOOGLE, 'Disconnected').waitFor();
    await badge(SLACK, 'Connected').waitFor();
    expect(oidc!.revocationRequests().length).toBe(1);
    await shot('11-google-disconnected');
  }, 40_000);

  it('shows the health view, and nothing failed or left the machine along the way', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health' }).click();
    await page.getByRole('heading', { name: 'Service health' }).waitFor();
    await page.getByRole('heading', { name: 'Webhook queue' }).waitFor();
    await page.getByRole('heading', { name: 'Providers' }).waitFor();
    // The one Slack event is counted as completed, and both configured providers' breakers are closed.
    const queue = page.locator('dl[aria-label="Webhook queue"]');
    await expect(queue.locator('.stat', { hasText: 'Completed' }).locator('dd').textContent()).resolves.toBe('1');
    await expect(queue.locator('.stat', { hasText: 'Failed' }).locator('dd').textContent()).resolves.toBe('0');
    for (const name of [GOOGLE, SLACK]) {
      await page.getByRole('row', { name: new RegExp(`^${name}\\b`) }).getByText('Closed (healthy)').waitFor();
    }
    await shot('12-health');
    expect(problems).toEqual([]);
    // Only the OAuth server's own pages reached out (oidc-provider's dev pages @import a web font).
    expect(blocked.filter((request) => !request.from.startsWith(oidc!.issuer))).toEqual([]);
    if (blocked.length > 0) console.info(`blocked off-machine requests: ${[...new Set(blocked.map((request) => request.url))].join(', ')}`);
  }, 30_000);
});
