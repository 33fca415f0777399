import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithClient, type Answer } from '../../test/fakeClient';
import { asanaProvider, googleProvider } from '../../test/fixtures';
import { ConnectIntegrationDialog } from './ConnectIntegrationDialog';

const AUTHORIZATION_URL = 'https://accounts.google.com/o/oauth2/v2/auth?state=abc&code_challenge=xyz';

function setup(startConnection: Answer = {
  data: { startConnection: { authorizationUrl: AUTHORIZATION_URL, state: 'abc', expiresAt: new Date().toISOString() } },
}) {
  const server = fakeServer((name) => {
    if (name === 'Providers') return { data: { providers: [googleProvider, asanaProvider] } };
    if (name === 'StartConnection') return startConnection;
    return undefined;
  });
  const onConnect = vi.fn();
  const navigate = vi.fn();
  return { server, onConnect, navigate };
}

function open(providerId = 'google', providerName = 'Google Workspace', answer?: Answer) {
  const ctx = setup(answer);
  renderWithClient(
    <ConnectIntegrationDialog
      providerId={providerId}
      providerName={providerName}
      onConnect={ctx.onConnect}
      navigate={ctx.navigate}
    />,
    ctx.server,
  );
  const trigger = screen.getByRole('button', { name: `Connect ${providerName}` });
  expect(trigger.getAttribute('aria-haspopup')).toBe('dialog');
  trigger.focus();
  fireEvent.click(trigger);
  return { ...ctx, trigger };
}

describe('ConnectIntegrationDialog', () => {
  it('opens a labelled modal dialog with focus inside, and Escape closes it returning focus', () => {
    const { trigger } = open();
    const dialog = screen.getByRole('dialog', { name: 'Connect Google Workspace' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(dialog.contains(document.activeElement)).toBe(true);

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(trigger);
  });

  it('lists scopes with descriptions, checking the default scopes', async () => {
    open();
    const dialog = screen.getByRole('dialog');
    const calendar = await within(dialog).findByRole('checkbox', { name: /calendar access/i });
    expect(calendar).toHaveProperty('checked', true);
    expect(within(dialog).getByRole('checkbox', { name: /drive access/i })).toHaveProperty('checked', false);
    expect(within(dialog).getByRole('checkbox', { name: /user email/i })).toHaveProperty('checked', true);
    expect(within(dialog).getByText('https://www.googleapis.com/auth/drive')).toBeTruthy();
  });

  it('starts the connection with the chosen scopes and sends the browser to the provider', async () => {
    const { server, onConnect, navigate } = open();
    const dialog = screen.getByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: /drive access/i }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /user email/i }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Continue to Google Workspace' }));

    await waitFor(() => expect(navigate).toHaveBeenCalledWith(AUTHORIZATION_URL));
    expect(onConnect).toHaveBeenCalledTimes(1);
    const mutation = server.operations.find((op) => op.kind === 'mutation');
    expect(mutation?.variables).toEqual({
      input: {
        providerId: 'google',
        redirectUri: `${window.location.origin}/oauth/callback`,
        scopes: ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/drive'],
      },
    });
    expect(within(dialog).getByRole('button', { name: /redirecting to google workspace/i })).toHaveProperty('disabled', true);
  });

  it('shows a loading state while starting', async () => {
    const { navigate } = open('google', 'Google Workspace', 'pending');
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByRole('checkbox', { name: /calendar access/i });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Continue to Google Workspace' }));
    const busy = await within(dialog).findByRole('button', { name: /starting/i });
    expect(busy).toHaveProperty('disabled', true);
    expect(busy.getAttribute('aria-busy')).toBe('true');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('shows the error and stays open when the server refuses', async () => {
    const { navigate, onConnect } = open('google', 'Google Workspace', {
      errors: [{ message: 'Circuit open', code: 'PROVIDER_UNAVAILABLE' }],
    });
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByRole('checkbox', { name: /calendar access/i });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Continue to Google Workspace' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toMatch(/provider is unavailable right now/i);
    expect(navigate).not.toHaveBeenCalled();
    expect(onConnect).not.toHaveBeenCalled();
    expect(within(dialog).getByRole('button', { name: 'Continue to Google Workspace' })).toHaveProperty('disabled', false);
  });

  it('requires at least one scope', async () => {
    open();
    const dialog = screen.getByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: /calendar access/i }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /user email/i }));
    expect(within(dialog).getByText('Select at least one permission.')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Continue to Google Workspace' })).toHaveProperty('disabled', true);
  });

  it('explains when the provider is not configured', async () => {
    open('asana', 'Asana');
    const dialog = screen.getByRole('dialog');
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/not configured/i);
    expect(within(dialog).getByRole('button', { name: 'Continue to Asana' })).toHaveProperty('disabled', true);
  });

  it('keeps Tab inside the dialog', async () => {
    open();
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByRole('checkbox', { name: /calendar access/i });
    const submit = within(dialog).getByRole('button', { name: 'Continue to Google Workspace' });
    submit.focus();
    fireEvent.keyDown(submit, { key: 'Tab' });
    expect(document.activeElement).toBe(within(dialog).getAllByRole('checkbox')[0]);
  });
});
