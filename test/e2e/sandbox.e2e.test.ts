/**
 * The sandbox provider in headless Chromium, from a fresh start: `src/main.ts` with nothing
 * configured but its port, PUBLIC_URL and a new DATA_DIR (embedded PostgreSQL, development
 * secrets, scheduler on). Run by `npm run test:e2e` with the UI test.
 *
 * The browser: sees the Sandbox card ready to connect, connects it through the sandbox's own
 * sign-in and consent pages, sees CONNECTED and its `items` subscription become Active, creates
 * an item from the activity page and watches the webhook event the sandbox sends reach Completed
 * without a reload, then disconnects it after confirming. Nothing else runs: no provider fake, no
 * OAuth server besides the one the service mounts.
 *
 * Screenshots and the service's log: test-artifacts/sandbox/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { freePort } from '../support/free-port.js';
import { cleanUp, E2ESession, openTrackedPage, statusBadge, type TrackedPage } from './support/e2e-harness.js';

const SANDBOX = 'Sandbox';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'sandbox');

describe('the sandbox provider in a real browser, from a fresh start', () => {
  let baseUrl = '';
  let session: E2ESession | undefined;
  let page: Page;
  let dataDir: string | undefined;
  let tracked: TrackedPage;

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  const card = () => page.getByRole('article', { name: SANDBOX });
  const badge = (word: string) => statusBadge(card(), word);
  const onService = (url: string) => new URL(url).origin === new URL(baseUrl).origin;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const file of readdirSync(ARTIFACTS)) if (/\.(png|log)$/.test(file)) rmSync(join(ARTIFACTS, file), { force: true });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'integrations-sandbox-e2e-'));
    session = new E2ESession({ NODE_ENV: 'development', PORT: String(port), PUBLIC_URL: baseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    tracked = await openTrackedPage(await session.ready(baseUrl), onService);
    page = tracked.page;
  }, 90_000);

  afterAll(async () => {
    const errors: string[] = [];
    await session?.close(errors);
    await cleanUp('data directory', () => dataDir && rmSync(dataDir, { recursive: true, force: true }), errors);
    if (session?.output()) writeFileSync(join(ARTIFACTS, 'service.log'), session.output());
    if (errors.length > 0) throw new Error(`clean-up failed: ${errors.join('; ')}`);
  }, 90_000);

  it('shows the sandbox ready to connect with nothing configured', async () => {
    await page.goto(new URL('/', baseUrl).toString());
    await card().waitFor({ timeout: 20_000 });
    await badge('Not connected').waitFor();
    await card().getByRole('button', { name: `Connect ${SANDBOX}` }).waitFor();
    await shot('01-list');
  }, 40_000);

  it('connects through the sandbox sign-in and consent pages, and its subscription becomes Active', async () => {
    await page.getByRole('button', { name: `Connect ${SANDBOX}` }).click();
    const dialog = page.getByRole('dialog', { name: `Connect ${SANDBOX}` });
    await dialog.getByRole('checkbox').first().waitFor();
    await dialog.getByRole('button', { name: `Continue to ${SANDBOX}` }).click();

    await page.waitForURL((url) => url.pathname.startsWith('/sandbox/oauth/interaction/'));
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await shot('02-sandbox-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: /^Allow the integrations service to access your sandbox account\?$/ }).waitFor();
    await page.getByText('See your sandbox items').waitFor();
    await page.getByText('Be told when your sandbox items change (webhook subscriptions)').waitFor();
    await shot('03-sandbox-consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL((url) => url.pathname === '/' && onService(url.toString()));
    await page.getByRole('status').filter({ hasText: `${SANDBOX} is connected` }).waitFor();
    await badge('Connected').waitFor();
    // The scheduler creates the default subscription at the sandbox; the card hears of it live.
    await statusBadge(card().getByRole('listitem', { name: 'items' }), 'Active').waitFor({ timeout: 20_000 });
    await shot('04-sandbox-connected');
  }, 60_000);

  it('creates an item and watches the signed webhook it causes reach Completed live', async () => {
    await card().getByRole('link', { name: `Webhook activity for ${SANDBOX}` }).click();
    await page.getByRole('heading', { name: `${SANDBOX} webhook activity` }).waitFor();
    await page.getByRole('heading', { name: 'No webhook events yet' }).waitFor();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });

    await page.getByRole('button', { name: 'Create a sandbox item' }).click();
    await page.getByText(/^Created “Item created at .+”\. Its webhook is on its way\.$/).waitFor();
    const row = page.getByRole('row', { name: /item\.created/ });
    await row.waitFor({ timeout: 20_000 });
    await statusBadge(row, 'Completed').waitFor({ timeout: 30_000 });
    await shot('05-webhook-completed');
    expect(navigations).toBe(0);
  }, 60_000);

  it('disconnects after confirmation', async () => {
    await page.getByRole('link', { name: '← All integrations' }).click();
    await card().getByRole('button', { name: `Disconnect ${SANDBOX}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Disconnect ${SANDBOX}?` });
    await confirm.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await badge('Disconnected').waitFor();
    await shot('06-sandbox-disconnected');
    // Stopped at the sandbox before the token was revoked (a failed stop would say so).
    expect(session!.output()).toMatch(/"provider":"sandbox","resource":"items","stoppedAtProvider":true/);
    expect(tracked.problems).toEqual([]);
    expect(tracked.blocked).toEqual([]);
  }, 40_000);
});
