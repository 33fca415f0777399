import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { cloneTemplateDatabase } from '../support/database.js';
import { testDatabaseUrl } from '../support/services.js';
import { postGraphQL, startTestApp, type TestApp } from '../http/support/test-app.js';

const RETRY = 'mutation Retry($id: ID!) { retryWebhookEvent(id: $id) { id status attempts errorMessage } }';

describe('retryWebhookEvent', () => {
  let app: TestApp;
  let admin: pg.Client;
  const org = randomUUID();
  const otherOrg = randomUUID();
  let integrationId: string;

  const insertEvent = async (status: string, organizationId = org, integration = integrationId): Promise<string> => {
    const { rows } = await admin.query<{ id: string }>(
      `insert into webhook_events (organization_id, integration_id, provider, event_type, payload, status, attempts, error_message, delivery_id)
       values ($1, $2, 'acme', 'never-handled', '{}', $3, 8, 'gave up', $4) returning id`,
      [organizationId, integration, status, randomUUID()],
    );
    return rows[0]!.id;
  };

  beforeAll(async () => {
    const databaseName = await cloneTemplateDatabase();
    admin = new pg.Client({ connectionString: testDatabaseUrl(databaseName) });
    await admin.connect();
    const { rows } = await admin.query<{ id: string }>(
      `insert into integrations (organization_id, provider_id, provider_name) values ($1, 'acme', 'Acme'), ($2, 'acme', 'Acme') returning id`,
      [org, otherOrg],
    );
    integrationId = rows[0]!.id;
    // No worker: the test reads the state the mutation leaves, not what a worker does next.
    app = await startTestApp({}, { databaseName, webhookWorker: false });
  });
  afterAll(async () => {
    await app?.close();
    await admin?.end();
  });

  it('puts a FAILED event back to PENDING with fresh attempts, for an admin of its organization', async () => {
    const id = await insertEvent('failed');
    const response = await postGraphQL(app.url, RETRY, { token: await app.token({ organizationId: org, roles: ['admin'] }), variables: { id } });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ retryWebhookEvent: { id, status: 'PENDING', attempts: 0, errorMessage: null } });
  });

  it.each([
    ['a caller without the admin role', 'failed', () => ({ organizationId: org, roles: [] as string[] }), 'FORBIDDEN'],
    ["another organization's admin", 'failed', () => ({ organizationId: otherOrg, roles: ['admin'] }), 'NOT_FOUND'],
    ["another organization's caller without the admin role", 'failed', () => ({ organizationId: otherOrg, roles: [] as string[] }), 'NOT_FOUND'],
    ['an event that is not FAILED', 'completed', () => ({ organizationId: org, roles: ['admin'] }), 'BAD_USER_INPUT'],
  ])('refuses %s', async (_name, status, who, code) => {
    const id = await insertEvent(status);
    const response = await postGraphQL(app.url, RETRY, { token: await app.token(who()), variables: { id } });
    expect(response.body.errors?.[0]?.extensions?.code).toBe(code);
    const { rows } = await admin.query<{ status: string }>(`select status from webhook_events where id = $1`, [id]);
    expect(rows[0]!.status).toBe(status);
  });

  it('exports queue depth from the database on /metrics', async () => {
    await insertEvent('failed');
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const failed = /^webhook_queue_depth\{status="failed"\} (\d+)$/m.exec(text);
    expect(Number(failed?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toContain('webhook_event_processing_duration_seconds');
  });

  it('answers NOT_FOUND for an id that exists nowhere', async () => {
    const response = await postGraphQL(app.url, RETRY, { token: await app.token({ organizationId: org, roles: ['admin'] }), variables: { id: randomUUID() } });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
