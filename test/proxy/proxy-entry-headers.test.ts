import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../http/support/test-app.js';
import { FakeProviderServer } from '../support/fake-provider-server.js';
import { seedConnectedIntegration } from './support/seed-connected-integration.js';

/**
 * The proxy calls each provider the way its entry says: the token in the entry's header (Shopify's
 * `X-Shopify-Access-Token`, not `Authorization`), and the entry's fixed headers filled from the
 * connection's params (Xero's `xero-tenant-id`, learned while connecting).
 */
let subject: TestApp;
const api = new FakeProviderServer((status, message) => ({ status, json: { errors: message } }));
const organization = randomUUID();
let token: string;
let shopify: string;
let xero: string;

beforeAll(async () => {
  api.route('GET', '/admin/products.json', () => ({ json: { products: [] } }));
  api.route('GET', '/xero/Invoices', () => ({ json: { Invoices: [] } }));
  await api.start();
  subject = await startTestApp({ SHOPIFY_API_BASE_URL: `${api.url}/admin`, XERO_API_BASE_URL: `${api.url}/xero` });
  token = await subject.token({ organizationId: organization, roles: [] });
  shopify = await seedConnectedIntegration(subject.app, { organizationId: organization, providerId: 'shopify', accessToken: 'shpat_proxy-test', connectionParams: { shop: 'acme' } });
  xero = await seedConnectedIntegration(subject.app, { organizationId: organization, providerId: 'xero', accessToken: 'xero-access', connectionParams: { tenantId: 'tenant-42' } });
});

afterAll(async () => {
  await subject?.close();
  await api.close();
});

const proxied = (integrationId: string, path: string) => fetch(`${subject.url}/proxy/${integrationId}${path}`, { headers: { authorization: `Bearer ${token}` } });

it('sends the token in the header the entry names, and no Authorization', async () => {
  const response = await proxied(shopify, '/products.json');
  expect(response.status).toBe(200);
  const received = api.requests.find((request) => request.path === '/admin/products.json')!;
  expect(received.headers['x-shopify-access-token']).toBe('shpat_proxy-test');
  expect(received.headers.authorization).toBeUndefined();
});

it('sends the entry’s headers filled from the connection’s params', async () => {
  const response = await proxied(xero, '/Invoices');
  expect(response.status).toBe(200);
  const received = api.requests.find((request) => request.path === '/xero/Invoices')!;
  expect(received.headers['xero-tenant-id']).toBe('tenant-42');
  expect(received.headers.authorization).toBe('Bearer xero-access');
});
