import type { IntegrationStatus, WebhookEventStatus, CircuitState, ProviderSubscriptionStatus } from '../../gql/graphql';

type Tone = 'success' | 'neutral' | 'danger' | 'warning' | 'info';

/** Status as words plus a shape, never colour alone. */
function Badge({ tone, label, symbol }: { tone: Tone; label: string; symbol: string }) {
  return (
    <span className={`badge badge--${tone}`}>
      <span className="badge__symbol" aria-hidden="true">
        {symbol}
      </span>
      {label}
    </span>
  );
}

export function integrationStatusLabel(status: IntegrationStatus | 'NOT_CONNECTED', needsReauthorization = false): string {
  if (needsReauthorization) return 'Needs reauthorization';
  switch (status) {
    case 'CONNECTED':
      return 'Connected';
    case 'DISCONNECTED':
      return 'Disconnected';
    case 'ERROR':
      return 'Error';
    default:
      return 'Not connected';
  }
}

export function IntegrationStatusBadge({
  status,
  needsReauthorization = false,
}: {
  status: IntegrationStatus | 'NOT_CONNECTED';
  needsReauthorization?: boolean;
}) {
  const label = integrationStatusLabel(status, needsReauthorization);
  if (needsReauthorization) return <Badge tone="warning" label={label} symbol="!" />;
  switch (status) {
    case 'CONNECTED':
      return <Badge tone="success" label={label} symbol="✓" />;
    case 'ERROR':
      return <Badge tone="danger" label={label} symbol="✕" />;
    default:
      return <Badge tone="neutral" label={label} symbol="○" />;
  }
}

const EVENT_LABELS: Record<WebhookEventStatus, [Tone, string, string]> = {
  PENDING: ['neutral', 'Pending', '…'],
  PROCESSING: ['info', 'Processing', '↻'],
  COMPLETED: ['success', 'Completed', '✓'],
  FAILED: ['danger', 'Failed', '✕'],
};

export function WebhookEventStatusBadge({ status }: { status: WebhookEventStatus }) {
  const [tone, label, symbol] = EVENT_LABELS[status];
  return <Badge tone={tone} label={label} symbol={symbol} />;
}

const CIRCUIT_LABELS: Record<CircuitState, [Tone, string, string]> = {
  CLOSED: ['success', 'Closed (healthy)', '✓'],
  HALF_OPEN: ['warning', 'Half-open (probing)', '◐'],
  OPEN: ['danger', 'Open (failing fast)', '✕'],
};

export function CircuitStateBadge({ state }: { state: CircuitState }) {
  const [tone, label, symbol] = CIRCUIT_LABELS[state];
  return <Badge tone={tone} label={label} symbol={symbol} />;
}

const SUBSCRIPTION_LABELS: Record<ProviderSubscriptionStatus, [Tone, string, string]> = {
  PENDING: ['neutral', 'Setting up', '…'],
  ACTIVE: ['success', 'Active', '✓'],
  FAILED: ['danger', 'Failing', '✕'],
  EXPIRED: ['warning', 'Expired', '!'],
  STOPPED: ['neutral', 'Stopped', '○'],
};

export function ProviderSubscriptionStatusBadge({ status }: { status: ProviderSubscriptionStatus }) {
  const [tone, label, symbol] = SUBSCRIPTION_LABELS[status];
  return <Badge tone={tone} label={label} symbol={symbol} />;
}
