import { describe, expect, it } from 'vitest';
import { Provider } from 'urql';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createLiveConnection, LiveConnectionContext } from '../../graphql/liveConnection';
import { LIVE_REFETCH_DELAY_MS } from '../../lib/liveCollection';
import { fakeServer, renderWithClient, type Answer } from '../../test/fakeClient';
import { asanaProvider, googleProvider, integration, slackProvider } from '../../test/fixtures';
import { IntegrationsList } from './IntegrationsList';

function page(data: Answer, extra: Record<string, Answer> = {}) {
  const server = fakeServer((name) => (name === 'IntegrationsPage' ? data : extra[name]));
  renderWithClient(<IntegrationsList />, server);
  return server;
}

const providers = [googleProvider, slackProvider, asanaProvider];

describe('IntegrationsList', () => {
  it('shows skeletons while loading', () => {
    page('pending');
    expect(screen.getByRole('status').textContent).toBe('Loading integrations…');
    expect(screen.getByRole('region', { name: 'Integrations' }).getAttribute('aria-busy')).toBe('true');
    expect(document.querySelectorAll('.card--skeleton')).toHaveLength(4);
  });

  it('shows an error alert with a retry when the query fails', () => {
    const server = page({ networkError: 'Failed to fetch' });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/could not be loaded/i);
    expect(alert.textContent).toMatch(/cannot reach the integrations service/i);
    const before = server.operations.length;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(server.operations.length).toBeGreaterThan(before);
  });

  it('explains an authentication error in words', () => {
    page({ errors: [{ message: 'Unauthenticated', code: 'UNAUTHENTICATED' }] });
    expect(screen.getByRole('alert').textContent).toMatch(/access token is missing, expired or invalid/i);
  });

  it('shows an empty state when the deployment has no providers', () => {
    page({ data: { providers: [], integrations: [] } });
    expect(screen.getByRole('heading', { name: 'No integrations available' })).toBeTruthy();
  });

  it('shows connected and configured providers; the others only in the picker, marked not configured', () => {
    page({ data: { providers, integrations: [integration()] } });
    expect(screen.getByText('1 of 2 connected')).toBeTruthy();

    const google = screen.getByRole('article', { name: 'Google Workspace' });
    expect(within(google).getByText('Connected', { selector: '.badge' })).toBeTruthy();
    expect(within(google).getByText('3 minutes ago')).toBeTruthy();
    expect(within(google).getByRole('button', { name: 'Disconnect Google Workspace' })).toBeTruthy();

    const slack = screen.getByRole('article', { name: 'Slack' });
    expect(within(slack).getByText('Not connected', { selector: '.badge' })).toBeTruthy();
    expect(within(slack).getByRole('button', { name: 'Connect Slack' })).toHaveProperty('disabled', false);

    expect(screen.queryByRole('article', { name: 'Asana' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Connect a provider' }));
    const picker = screen.getByRole('dialog', { name: 'Connect a provider' });
    expect(within(picker).queryByRole('button', { name: /Asana/ })).toBeNull();
    fireEvent.click(within(picker).getByRole('checkbox', { name: /not configured on this deployment \(1\)/ }));
    const asana = within(picker).getByRole('button', { name: /Asana/ });
    expect(asana).toHaveProperty('disabled', true);
    expect(asana.textContent).toMatch(/Not configured/);
  });

  it('keeps the card of an integration whose provider is no longer configured', () => {
    page({ data: { providers, integrations: [integration({ id: 'int-asana', providerId: 'asana', providerName: 'Asana', status: 'DISCONNECTED' })] } });
    expect(screen.getByRole('article', { name: 'Asana' })).toBeTruthy();
  });

  it('shows an integration that needs reauthorization with Reconnect', () => {
    page({
      data: {
        providers,
        integrations: [
          integration({ status: 'ERROR', needsReauthorization: true, errorMessage: 'Refresh token revoked.' }),
        ],
      },
    });
    const google = screen.getByRole('article', { name: 'Google Workspace' });
    expect(within(google).getByText('Needs reauthorization', { selector: '.badge' })).toBeTruthy();
    expect(within(google).getByText(/Refresh token revoked/)).toBeTruthy();
    expect(within(google).getByRole('button', { name: 'Reconnect Google Workspace' })).toBeTruthy();
  });

  it('updates live from integrationStatusChanged, without polling', async () => {
    const server = page({ data: { providers, integrations: [integration()] } });
    const queriesBefore = server.operations.filter((op) => op.kind === 'query').length;
    expect(server.operations.some((op) => op.kind === 'subscription')).toBe(true);

    act(() =>
      server.push('IntegrationStatusChanged', {
        integrationStatusChanged: integration({ status: 'ERROR', errorMessage: 'Google is rate limiting us.', version: 2 }),
      }),
    );
    const google = screen.getByRole('article', { name: 'Google Workspace' });
    expect(within(google).getByText('Error', { selector: '.badge' })).toBeTruthy();
    expect(within(google).getByText(/rate limiting us/)).toBeTruthy();

    // A new connection made in another tab appears on its own.
    act(() =>
      server.push('IntegrationStatusChanged', {
        integrationStatusChanged: integration({ id: 'int-slack', providerId: 'slack', providerName: 'Slack' }),
      }),
    );
    const slack = screen.getByRole('article', { name: 'Slack' });
    expect(within(slack).getByText('Connected', { selector: '.badge' })).toBeTruthy();
    expect(screen.getByText('1 of 2 connected')).toBeTruthy(); // google is in ERROR now, slack connected

    // Then one refetch for the burst, to catch up on anything the pushes did not carry.
    expect(server.operations.filter((op) => op.kind === 'query').length).toBe(queriesBefore);
    await waitFor(() => expect(server.operations.filter((op) => op.kind === 'query').length).toBe(queriesBefore + 1));
    await new Promise((resolve) => setTimeout(resolve, LIVE_REFETCH_DELAY_MS * 2));
    expect(server.operations.filter((op) => op.kind === 'query').length).toBe(queriesBefore + 1);
  });

  it('disconnects through the confirmation and the disconnectIntegration mutation', async () => {
    const server = page(
      { data: { providers, integrations: [integration()] } },
      { DisconnectIntegration: { data: { disconnectIntegration: integration({ status: 'DISCONNECTED' }) } } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Google Workspace' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    const mutation = server.operations.find((op) => op.kind === 'mutation');
    expect(mutation?.variables).toEqual({ id: 'int-google' });
  });

  it('shows why a disconnect failed', async () => {
    page(
      { data: { providers, integrations: [integration()] } },
      { DisconnectIntegration: { errors: [{ message: 'Forbidden', code: 'FORBIDDEN' }] } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Google Workspace' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disconnect' }));
    const alert = await within(screen.getByRole('alertdialog')).findByRole('alert');
    expect(alert.textContent).toMatch(/do not have permission/i);
  });

  it('says when live updates are not flowing', () => {
    const server = fakeServer((name) => (name === 'IntegrationsPage' ? { data: { providers, integrations: [] } } : undefined));
    const live = createLiveConnection();
    render(
      <Provider value={server.client}>
        <LiveConnectionContext.Provider value={live}>
          <IntegrationsList />
        </LiveConnectionContext.Provider>
      </Provider>,
    );
    expect(screen.getByText('Connecting live updates…')).toBeTruthy();
    act(() => live.set('connected'));
    expect(screen.getByText('Live')).toBeTruthy();
    const queries = () => server.operations.filter((op) => op.kind === 'query').length;
    const before = queries();
    act(() => live.set('reconnecting'));
    expect(screen.getByText('Reconnecting live updates…')).toBeTruthy();
    expect(queries()).toBe(before);
    // Events published while the socket was down were lost: catch up once on reconnect.
    act(() => live.set('connected'));
    expect(queries()).toBe(before + 1);
  });
});
