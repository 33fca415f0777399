import { formatExact, formatRelative } from '../../lib/time';
import { useNow } from '../../lib/useNow';

/** "3 minutes ago", with the exact time on hover (title) and for machines (dateTime). */
export function RelativeTime({ iso, fallback = 'Never' }: { iso: string | null | undefined; fallback?: string }) {
  const now = useNow();
  if (!iso) return <span className="muted">{fallback}</span>;
  return (
    <time dateTime={iso} title={formatExact(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}
