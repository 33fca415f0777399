import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithClient } from '../../test/fakeClient';
import { googleProvider, integration } from '../../test/fixtures';
import { CallbackNotice } from './CallbackNotice';

const server = () => fakeServer((name) => (name === 'Providers' ? { data: { providers: [googleProvider] } } : undefined));

describe('CallbackNotice', () => {
  it('announces a successful connection by provider name and cleans the URL', () => {
    window.history.replaceState(null, '', '/?connected=google#/');
    renderWithClient(<CallbackNotice />, server());
    expect(screen.getByRole('status').textContent).toMatch(/Google Workspace is connected/);
    expect(window.location.search).toBe('');
    expect(window.location.hash).toBe('#/');

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('lets the success notice go on its own, but keeps errors', () => {
    vi.useFakeTimers();
    try {
      window.history.replaceState(null, '', '/?connected=google');
      renderWithClient(<CallbackNotice />, server());
      expect(screen.getByRole('status')).toBeTruthy();
      act(() => vi.advanceTimersByTime(20_000));
      expect(screen.queryByRole('status')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows an error notice for ?error=', () => {
    window.history.replaceState(null, '', '/?error=access_denied');
    renderWithClient(<CallbackNotice />, server());
    expect(screen.getByRole('alert').textContent).toMatch(/access was declined/i);
    expect(window.location.search).toBe('');
  });

  it('explains an expired or replayed state', () => {
    window.history.replaceState(null, '', '/?error=OAUTH_STATE_INVALID');
    renderWithClient(<CallbackNotice />, server());
    expect(screen.getByRole('alert').textContent).toMatch(/expired or was already used/i);
  });

  it('completes a forwarded callback as the signed-in user, once, and never leaves the code in the URL', async () => {
    window.history.replaceState(null, '', '/?state=s-123&code=c-456&iss=https%3A%2F%2Faccounts.google.com#/');
    const fake = fakeServer((name) => {
      if (name === 'Providers') return { data: { providers: [googleProvider] } };
      if (name === 'CompleteConnection') return { data: { completeConnection: { __typename: 'Integration', ...integration({ providerId: 'google' }) } } };
      return undefined;
    });
    renderWithClient(<CallbackNotice />, fake);
    expect(window.location.search).toBe('');
    expect(await screen.findByText(/Google Workspace is connected/)).toBeTruthy();
    const completions = fake.operations.filter((op) => op.kind === 'mutation');
    expect(completions).toHaveLength(1);
    expect(completions[0]!.variables).toEqual({ input: { state: 's-123', code: 'c-456', error: null, iss: 'https://accounts.google.com' } });
  });

  it('explains a forwarded callback the service refuses (a link someone else started)', async () => {
    window.history.replaceState(null, '', '/?state=s-123&code=c-456');
    const fake = fakeServer((name) => (name === 'CompleteConnection' ? { errors: [{ message: 'state invalid', code: 'OAUTH_STATE_INVALID' }] } : undefined));
    renderWithClient(<CallbackNotice />, fake);
    expect((await screen.findByRole('alert')).textContent).toMatch(/expired or was already used/i);
  });

  it('renders nothing without callback parameters', () => {
    const { container } = renderWithClient(<CallbackNotice />, server());
    expect(container.textContent).toBe('');
  });
});
