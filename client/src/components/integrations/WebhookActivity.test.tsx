import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ProviderProxyContext, type ProviderProxy } from '../../graphql/providerProxy';
import type { WebhookEventFieldsFragment } from '../../gql/graphql';
import { fakeServer, renderWithClient, type Answer } from '../../test/fakeClient';
import { integration, webhookEvent } from '../../test/fixtures';
import { WebhookActivity } from './WebhookActivity';

const slack = integration({ id: 'int-slack', providerId: 'slack', providerName: 'Slack' });
const sandbox = integration({ id: 'int-sandbox', providerId: 'sandbox', providerName: 'Sandbox' });

function connection(events: WebhookEventFieldsFragment[], hasNextPage = false) {
  return {
    totalCount: events.length,
    pageInfo: { hasNextPage, endCursor: events.at(-1)?.id ?? null },
    edges: events.map((node) => ({ cursor: node.id, node })),
  };
}

function activity(answer: Answer, extra: Record<string, Answer> = {}) {
  const server = fakeServer((name) => (name === 'WebhookActivity' ? answer : extra[name]));
  renderWithClient(<WebhookActivity integrationId="int-slack" />, server);
  return server;
}

describe('WebhookActivity', () => {
  it('shows a loading state', () => {
    activity('pending');
    expect(screen.getByRole('status').textContent).toBe('Loading webhook events…');
  });

  it('shows an empty state', () => {
    activity({ data: { integration: slack, webhookEvents: connection([]) } });
    expect(screen.getByRole('heading', { name: 'Slack webhook activity' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'No webhook events yet' })).toBeTruthy();
  });

  it('shows an error alert', () => {
    activity({ errors: [{ message: 'nope', code: 'INTERNAL_SERVER_ERROR' }] });
    expect(screen.getByRole('alert').textContent).toMatch(/could not be loaded/i);
  });

  it('lists events with status as text, attempts and error, and retries a failed one', async () => {
    const failed = webhookEvent({ id: 'evt-2', eventType: 'channel.created', status: 'FAILED', attempts: 5, errorMessage: 'Handler timed out' });
    const server = activity(
      { data: { integration: slack, webhookEvents: connection([failed, webhookEvent()]) } },
      { RetryWebhookEvent: { data: { retryWebhookEvent: { ...failed, status: 'PENDING' } } } },
    );
    const rows = screen.getAllByRole('row');
    expect(rows).toHaveLength(3);
    const failedRow = screen.getByRole('row', { name: /channel\.created/ });
    expect(within(failedRow).getByText('Failed')).toBeTruthy();
    expect(within(failedRow).getByText('5')).toBeTruthy();
    expect(within(failedRow).getByText('Handler timed out')).toBeTruthy();
    const pendingRow = screen.getByRole('row', { name: /message\.created/ });
    expect(within(pendingRow).getByText('Pending')).toBeTruthy();
    expect(within(pendingRow).queryByRole('button')).toBeNull();

    fireEvent.click(within(failedRow).getByRole('button', { name: 'Retry channel.created' }));
    await waitFor(() => expect(server.operations.some((op) => op.kind === 'mutation')).toBe(true));
    expect(server.operations.find((op) => op.kind === 'mutation')?.variables).toEqual({ id: 'evt-2' });
  });

  it('follows an event live: PENDING → PROCESSING → COMPLETED, never back, and adds new ones on top', () => {
    const server = activity({ data: { integration: slack, webhookEvents: connection([webhookEvent()]) } });
    const sub = server.operations.find((op) => op.kind === 'subscription');
    expect(sub?.variables).toEqual({ integrationId: 'int-slack' });

    act(() => server.push('WebhookEventUpdated', { webhookEventUpdated: webhookEvent({ status: 'PROCESSING', attempts: 1, version: 2 }) }));
    expect(within(screen.getByRole('row', { name: /message\.created/ })).getByText('Processing')).toBeTruthy();

    act(() =>
      server.push('WebhookEventUpdated', {
        webhookEventUpdated: webhookEvent({ status: 'COMPLETED', attempts: 1, processedAt: new Date().toISOString(), version: 3 }),
      }),
    );
    expect(within(screen.getByRole('row', { name: /message\.created/ })).getByText('Completed')).toBeTruthy();

    // PROCESSING again, delivered late (another instance published it): the row stays COMPLETED.
    act(() => server.push('WebhookEventUpdated', { webhookEventUpdated: webhookEvent({ status: 'PROCESSING', attempts: 1, version: 2 }) }));
    expect(within(screen.getByRole('row', { name: /message\.created/ })).getByText('Completed')).toBeTruthy();

    act(() =>
      server.push('WebhookEventUpdated', { webhookEventUpdated: webhookEvent({ id: 'evt-9', eventType: 'reaction.added' }) }),
    );
    const bodyRows = screen.getAllByRole('row').slice(1);
    expect(bodyRows[0]?.textContent).toMatch(/reaction\.added/);
  });

  it('offers a sandbox integration a button that creates an item through the provider proxy', async () => {
    const proxy = vi.fn<ProviderProxy>(async () => new Response('{}', { status: 201 }));
    const server = fakeServer((name) => (name === 'WebhookActivity' ? { data: { integration: sandbox, webhookEvents: connection([]) } } : undefined));
    renderWithClient(
      <ProviderProxyContext.Provider value={proxy}>
        <WebhookActivity integrationId="int-sandbox" />
      </ProviderProxyContext.Provider>,
      server,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create a sandbox item' }));
    await screen.findByText(/^Created “Item created at .+”\. Its webhook is on its way\.$/);
    expect(proxy).toHaveBeenCalledWith('int-sandbox', '/items', { method: 'POST', body: { title: expect.stringMatching(/^Item created at /) } });
  });

  it('shows no sandbox button for other providers', () => {
    activity({ data: { integration: slack, webhookEvents: connection([]) } });
    expect(screen.queryByRole('button', { name: 'Create a sandbox item' })).toBeNull();
  });
});
