import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithClient } from '../../test/fakeClient';
import { googleProvider, integration, minutesAgo } from '../../test/fixtures';
import { IntegrationCard } from './IntegrationCard';

const server = () => fakeServer((name) => (name === 'Providers' ? { data: { providers: [googleProvider] } } : undefined));

describe('IntegrationCard', () => {
  it('shows a connected integration with its status as text, connected date and last sync', () => {
    const lastSyncAt = minutesAgo(3);
    renderWithClient(<IntegrationCard integration={integration({ lastSyncAt })} onDisconnect={() => undefined} />, server());

    const card = screen.getByRole('article', { name: 'Google Workspace' });
    expect(within(card).getByText('Connected', { selector: '.badge' })).toBeTruthy();
    expect(within(card).getByText('3 days ago')).toBeTruthy();
    const lastSync = within(card).getByText('3 minutes ago');
    expect(lastSync.tagName).toBe('TIME');
    expect(lastSync.getAttribute('dateTime')).toBe(lastSyncAt);
    expect(lastSync.getAttribute('title')).toMatch(/\d{4}/);
    expect(within(card).getByRole('link', { name: /webhook activity for google workspace/i }).getAttribute('href')).toBe(
      '#/integrations/int-google/activity',
    );
    expect(within(card).queryByRole('button', { name: /reconnect/i })).toBeNull();
  });

  it('says "Never" when the integration has not synced yet', () => {
    renderWithClient(<IntegrationCard integration={integration({ lastSyncAt: null })} onDisconnect={() => undefined} />, server());
    expect(screen.getByText('Never')).toBeTruthy();
  });

  it('asks for confirmation before disconnecting, and Escape cancels', () => {
    const onDisconnect = vi.fn();
    renderWithClient(<IntegrationCard integration={integration()} onDisconnect={onDisconnect} />, server());

    const trigger = screen.getByRole('button', { name: 'Disconnect Google Workspace' });
    trigger.focus();
    fireEvent.click(trigger);
    const dialog = screen.getByRole('alertdialog', { name: 'Disconnect Google Workspace?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(onDisconnect).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(trigger);
  });

  it('disconnects after confirmation, showing progress while the promise is pending', async () => {
    let finish!: () => void;
    const onDisconnect = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    renderWithClient(<IntegrationCard integration={integration()} onDisconnect={onDisconnect} />, server());

    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Google Workspace' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disconnect' }));
    expect(onDisconnect).toHaveBeenCalledTimes(1);
    expect(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disconnecting…' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('article').getAttribute('aria-busy')).toBe('true');

    await act(async () => finish());
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('keeps the confirmation open with the error when disconnecting fails', async () => {
    const onDisconnect = vi.fn(async () => {
      throw new Error('You do not have permission to do that. Ask an administrator.');
    });
    renderWithClient(<IntegrationCard integration={integration()} onDisconnect={onDisconnect} />, server());
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Google Workspace' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disconnect' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'You do not have permission to do that. Ask an administrator.');
    expect(screen.getByRole('alertdialog')).toBeTruthy();
  });

  it('shows the error message of an integration in ERROR', () => {
    renderWithClient(
      <IntegrationCard
        integration={integration({ status: 'ERROR', errorMessage: 'Slack API returned account_inactive.' })}
        onDisconnect={() => undefined}
      />,
      server(),
    );
    expect(screen.getByText('Error', { selector: '.badge' })).toBeTruthy();
    expect(screen.getByText(/account_inactive/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /reconnect/i })).toBeNull();
  });

  it('offers "Reconnect" when the provider needs reauthorization', async () => {
    renderWithClient(
      <IntegrationCard
        integration={integration({
          status: 'ERROR',
          needsReauthorization: true,
          errorMessage: 'Google refused the refresh token (invalid_grant).',
        })}
        onDisconnect={() => undefined}
      />,
      server(),
    );
    expect(screen.getByText('Needs reauthorization', { selector: '.badge' })).toBeTruthy();
    expect(screen.getByText(/invalid_grant/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect Google Workspace' }));
    expect(await screen.findByRole('dialog', { name: 'Connect Google Workspace' })).toBeTruthy();
  });

  it('offers Connect instead of Disconnect for a disconnected integration', () => {
    renderWithClient(
      <IntegrationCard integration={integration({ status: 'DISCONNECTED' })} onDisconnect={() => undefined} />,
      server(),
    );
    expect(screen.getByText('Disconnected', { selector: '.badge' })).toBeTruthy();
    expect(screen.getByText('Last connected')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Connect Google Workspace' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^disconnect/i })).toBeNull();
  });

  it('runs a connection test and reports the outcome', async () => {
    const onTest = vi.fn(async () => ({ healthy: true, latencyMs: 42 }));
    renderWithClient(<IntegrationCard integration={integration()} onDisconnect={() => undefined} onTest={onTest} />, server());
    fireEvent.click(screen.getByRole('button', { name: 'Test Google Workspace connection' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Connection works (42 ms).'));
  });
});
