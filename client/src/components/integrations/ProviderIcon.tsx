import type { ReactElement } from 'react';

const ICONS: Record<string, ReactElement> = {
  google: (
    <svg viewBox="0 0 48 48" width="32" height="32" aria-hidden="true" focusable="false">
      <path fill="#4285F4" d="M45 24.5c0-1.6-.1-3.1-.4-4.5H24v8.5h11.8a10 10 0 0 1-4.4 6.6v5.5h7.1C42.6 36.8 45 31.2 45 24.5z" />
      <path fill="#34A853" d="M24 46c5.9 0 10.9-2 14.5-5.4l-7.1-5.5c-2 1.3-4.5 2.1-7.4 2.1-5.7 0-10.5-3.8-12.2-9H4.5v5.7A22 22 0 0 0 24 46z" />
      <path fill="#FBBC05" d="M11.8 28.2a13 13 0 0 1 0-8.4v-5.7H4.5a22 22 0 0 0 0 19.8l7.3-5.7z" />
      <path fill="#EA4335" d="M24 10.8c3.2 0 6.1 1.1 8.4 3.3l6.3-6.3A22 22 0 0 0 4.5 14.1l7.3 5.7c1.7-5.2 6.5-9 12.2-9z" />
    </svg>
  ),
  slack: (
    <svg viewBox="0 0 48 48" width="32" height="32" aria-hidden="true" focusable="false">
      <rect x="13" y="4" width="7" height="40" rx="3.5" fill="#36C5F0" />
      <rect x="28" y="4" width="7" height="40" rx="3.5" fill="#2EB67D" />
      <rect x="4" y="13" width="40" height="7" rx="3.5" fill="#ECB22E" />
      <rect x="4" y="28" width="40" height="7" rx="3.5" fill="#E01E5A" />
    </svg>
  ),
  microsoft: (
    <svg viewBox="0 0 48 48" width="32" height="32" aria-hidden="true" focusable="false">
      <rect x="4" y="4" width="19" height="19" fill="#F25022" />
      <rect x="25" y="4" width="19" height="19" fill="#7FBA00" />
      <rect x="4" y="25" width="19" height="19" fill="#00A4EF" />
      <rect x="25" y="25" width="19" height="19" fill="#FFB900" />
    </svg>
  ),
  asana: (
    <svg viewBox="0 0 48 48" width="32" height="32" aria-hidden="true" focusable="false">
      <circle cx="24" cy="14" r="8" fill="#F06A6A" />
      <circle cx="12" cy="32" r="8" fill="#F06A6A" />
      <circle cx="36" cy="32" r="8" fill="#F06A6A" />
    </svg>
  ),
};

function initials(name: string): string {
  const words = name.split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
}

/** The provider's mark, or its initials for providers without one. Decorative: the name is always next to it. */
export function ProviderIcon({ providerId, name }: { providerId: string; name: string }) {
  const icon = ICONS[providerId.toLowerCase()];
  return (
    <span className="provider-icon" aria-hidden="true">
      {icon ?? <span className="provider-icon__initials">{initials(name) || '?'}</span>}
    </span>
  );
}
