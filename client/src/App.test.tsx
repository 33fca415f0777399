import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';

afterEach(() => vi.unstubAllGlobals());

describe('App', () => {
  it('explains clearly how to get a token when there is none', async () => {
    const fetchMock = vi.fn(async () => new Response('Not found', { status: 404 }));
    vi.stubGlobal('fetch', fetchMock);
    render(<App />);
    expect(screen.getByRole('status').textContent).toBe('Signing in…');
    expect((await screen.findByRole('alert')).textContent).toMatch(/No access token was found/);
    expect(screen.getByLabelText('Access token (JWT)')).toBeTruthy();
    expect(fetchMock).toHaveBeenCalledWith('/auth/dev-token', expect.anything());
  });
});
