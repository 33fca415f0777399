import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithClient } from '../../test/fakeClient';
import { integration, minutesAgo, minutesFromNow, providerSubscription } from '../../test/fixtures';
import { IntegrationCard } from './IntegrationCard';
import { ProviderSubscriptions } from './ProviderSubscriptions';

const server = () => fakeServer(() => undefined);

describe('ProviderSubscriptions', () => {
  it('shows each subscription’s resource, status, expiry and last notification', () => {
    renderWithClient(
      <ProviderSubscriptions
        integrationId="int-google"
        subscriptions={[
          providerSubscription(),
          providerSubscription({ id: 'sub-2', resource: 'drive/changes', status: 'PENDING', expiresAt: null, lastNotificationAt: null }),
        ]}
        onRefetch={() => undefined}
      />,
      server(),
    );
    const calendar = screen.getByRole('listitem', { name: 'calendar/primary' });
    expect(within(calendar).getByText('Active', { selector: '.badge' })).toBeTruthy();
    expect(within(calendar).getByText('in 6 days')).toBeTruthy();
    expect(within(calendar).getByText('5 minutes ago')).toBeTruthy();
    const drive = screen.getByRole('listitem', { name: 'drive/changes' });
    expect(within(drive).getByText('Setting up', { selector: '.badge' })).toBeTruthy();
    expect(within(drive).getByText('None yet')).toBeTruthy();
  });

  it('says why a subscription fails and when it is tried next', () => {
    renderWithClient(
      <ProviderSubscriptions
        integrationId="int-microsoft"
        subscriptions={[
          providerSubscription({
            resource: '/me/events',
            status: 'FAILED',
            lastError: 'Microsoft Graph could not validate the notification URL https://example.test/webhooks/microsoft',
            renewAt: minutesFromNow(59),
          }),
        ]}
        onRefetch={() => undefined}
      />,
      server(),
    );
    const item = screen.getByRole('listitem', { name: '/me/events' });
    expect(within(item).getByText('Failing', { selector: '.badge' })).toBeTruthy();
    expect(within(item).getByText(/could not validate the notification URL/).textContent).toMatch(/Next attempt in 59 minutes/);
  });

  it('follows providerSubscriptionChanged for its integration, then refetches once', async () => {
    const fake = server();
    const onRefetch = vi.fn();
    renderWithClient(
      <ProviderSubscriptions integrationId="int-google" subscriptions={[providerSubscription({ status: 'PENDING', expiresAt: null })]} onRefetch={onRefetch} />,
      fake,
    );
    const subscription = fake.operations.find((op) => op.kind === 'subscription');
    expect(subscription?.variables).toEqual({ integrationId: 'int-google' });

    act(() => fake.push('ProviderSubscriptionChanged', { providerSubscriptionChanged: providerSubscription({ lastNotificationAt: minutesAgo(1), version: 2 }) }));
    const item = screen.getByRole('listitem', { name: 'calendar/primary' });
    expect(within(item).getByText('Active', { selector: '.badge' })).toBeTruthy();
    expect(within(item).getByText('1 minute ago')).toBeTruthy();

    // A new one (subscribed elsewhere) appears; a stopped one disappears.
    act(() => fake.push('ProviderSubscriptionChanged', { providerSubscriptionChanged: providerSubscription({ id: 'sub-2', resource: 'drive/changes' }) }));
    expect(screen.getByRole('listitem', { name: 'drive/changes' })).toBeTruthy();
    act(() => fake.push('ProviderSubscriptionChanged', { providerSubscriptionChanged: providerSubscription({ status: 'STOPPED', version: 3 }) }));
    expect(screen.queryByRole('listitem', { name: 'calendar/primary' })).toBeNull();
    await waitFor(() => expect(onRefetch).toHaveBeenCalledTimes(1));
  });

  it('is part of a connected integration’s card, and absent when there is none', () => {
    const { unmount } = renderWithClient(
      <IntegrationCard integration={integration()} subscriptions={[providerSubscription()]} onDisconnect={() => undefined} />,
      server(),
    );
    const card = screen.getByRole('article', { name: 'Google Workspace' });
    expect(within(card).getByRole('region', { name: 'Webhook subscriptions' })).toBeTruthy();
    unmount();
    renderWithClient(<IntegrationCard integration={integration()} subscriptions={[]} onDisconnect={() => undefined} />, server());
    expect(screen.queryByRole('region', { name: 'Webhook subscriptions' })).toBeNull();
  });
});
