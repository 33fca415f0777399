import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ProviderFieldsFragment } from '../../gql/graphql';
import { fakeServer, renderWithClient, type Answer } from '../../test/fakeClient';
import { asanaProvider, googleProvider, manyProviders, zendeskProvider } from '../../test/fixtures';
import { ConnectProviderDialog } from './ConnectProviderDialog';

function open(providers: ProviderFieldsFragment[], startConnection: Answer = 'pending') {
  const server = fakeServer((name) => {
    if (name === 'Providers') return { data: { providers } };
    if (name === 'StartConnection') return startConnection;
    return undefined;
  });
  const navigate = vi.fn();
  renderWithClient(<ConnectProviderDialog providers={providers} onConnect={() => undefined} navigate={navigate} />, server);
  fireEvent.click(screen.getByRole('button', { name: 'Connect a provider' }));
  return { server, navigate, picker: screen.getByRole('dialog', { name: 'Connect a provider' }) };
}

describe('ConnectProviderDialog', () => {
  it('offers configured providers only, the others on request, marked and not selectable', () => {
    const { picker } = open([googleProvider, asanaProvider]);
    expect(within(picker).queryByRole('searchbox')).toBeNull();
    expect(within(picker).getAllByRole('listitem')).toHaveLength(1);
    fireEvent.click(within(picker).getByRole('checkbox', { name: /Show providers not configured on this deployment \(1\)/ }));
    const asana = within(picker).getByRole('button', { name: /Asana/ });
    expect(asana).toHaveProperty('disabled', true);
    expect(within(asana).getByText('Not configured')).toBeTruthy();
  });

  it('has a search box when there are more than eight providers, and says when nothing matches', () => {
    const { picker } = open(manyProviders(12));
    const search = within(picker).getByRole('searchbox', { name: 'Search providers' });
    expect(within(picker).getAllByRole('listitem')).toHaveLength(12);
    fireEvent.change(search, { target: { value: 'provider 1' } });
    expect(within(picker).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['Provider 1', 'Provider 10', 'Provider 11', 'Provider 12'].map((name) => expect.stringContaining(name)));
    fireEvent.change(search, { target: { value: 'nothing like it' } });
    expect(within(picker).getByRole('status').textContent).toMatch(/No provider matches/);
  });

  it('asks for the chosen provider’s connection params and sends them with startConnection', async () => {
    const { server, picker, navigate } = open([googleProvider, zendeskProvider], {
      data: { startConnection: { authorizationUrl: 'https://acme.zendesk.com/oauth/authorizations/new?state=s', state: 's', expiresAt: new Date().toISOString() } },
    });
    fireEvent.click(within(picker).getByRole('button', { name: /Zendesk/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect Zendesk' });
    const continueButton = within(dialog).getByRole('button', { name: 'Continue to Zendesk' });
    expect(continueButton).toHaveProperty('disabled', true);
    const subdomain = within(dialog).getByRole('textbox', { name: 'Your Zendesk subdomain (acme in acme.zendesk.com)' });
    expect(subdomain.getAttribute('placeholder')).toBe('acme');
    fireEvent.change(subdomain, { target: { value: ' acme ' } });
    fireEvent.click(continueButton);
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://acme.zendesk.com/oauth/authorizations/new?state=s'));
    expect(server.operations.find((operation) => operation.kind === 'mutation')?.variables).toMatchObject({
      input: { providerId: 'zendesk', scopes: ['read'], connectionParams: { subdomain: 'acme' } },
    });
  });

  it('shows the server’s validation message next to the param it is about', async () => {
    const { picker, navigate } = open([zendeskProvider], {
      errors: [
        {
          message: 'Zendesk: subdomain is not valid',
          code: 'BAD_USER_INPUT',
          extensions: { connectionParams: { subdomain: 'is not valid: Your Zendesk subdomain (acme in acme.zendesk.com)' } },
        },
      ],
    });
    fireEvent.click(within(picker).getByRole('button', { name: /Zendesk/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect Zendesk' });
    const subdomain = within(dialog).getByRole('textbox', { name: /Zendesk subdomain/ });
    fireEvent.change(subdomain, { target: { value: 'Not A Subdomain' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Continue to Zendesk' }));
    await waitFor(() => expect(subdomain.getAttribute('aria-invalid')).toBe('true'));
    const message = document.getElementById(subdomain.getAttribute('aria-describedby')!);
    expect(message?.textContent).toBe('subdomain is not valid: Your Zendesk subdomain (acme in acme.zendesk.com)');
    expect(within(dialog).getByRole('alert').textContent).toMatch(/subdomain is not valid/);
    expect(navigate).not.toHaveBeenCalled();
  });
});
