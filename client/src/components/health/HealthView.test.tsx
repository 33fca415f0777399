import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeServer, renderWithClient, type Answer } from '../../test/fakeClient';
import { minutesAgo } from '../../test/fixtures';
import { HealthView } from './HealthView';

function health(answer: Answer) {
  const server = fakeServer((name) => (name === 'Health' ? answer : undefined));
  renderWithClient(<HealthView />, server);
  return server;
}

describe('HealthView', () => {
  it('shows loading', () => {
    health('pending');
    expect(screen.getByRole('status').textContent).toBe('Loading health…');
  });

  it('shows each provider breaker state in words, its last error, and the queue stats', () => {
    health({
      data: {
        providers: [
          { id: 'google', name: 'Google Workspace', configured: true, health: { circuitState: 'CLOSED', consecutiveFailures: 0, lastFailureAt: null, lastError: null } },
          { id: 'slack', name: 'Slack', configured: true, health: { circuitState: 'OPEN', consecutiveFailures: 5, lastFailureAt: minutesAgo(1), lastError: 'HTTP 503 from slack.com' } },
        ],
        webhookQueueStats: { pending: 3, processing: 1, completed: 120, failed: 2, oldestPendingAgeSeconds: 95 },
      },
    });
    const slack = screen.getByRole('row', { name: /slack/i });
    expect(within(slack).getByText('Open (failing fast)')).toBeTruthy();
    expect(within(slack).getByText('HTTP 503 from slack.com')).toBeTruthy();
    expect(within(slack).getByText('1 minute ago')).toBeTruthy();
    expect(within(screen.getByRole('row', { name: /google/i })).getByText('Closed (healthy)')).toBeTruthy();

    expect(screen.getByText('Oldest pending').nextElementSibling?.textContent).toBe('1m 35s');
    expect(screen.getByText('Pending').nextElementSibling?.textContent).toBe('3');
    expect(screen.getByText('Failed').nextElementSibling?.textContent).toBe('2');
  });

  it('shows an error', () => {
    health({ errors: [{ message: 'Forbidden', code: 'FORBIDDEN' }] });
    expect(screen.getByRole('alert').textContent).toMatch(/permission/i);
  });
});
