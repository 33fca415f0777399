import type { ProviderScope } from '../providers/provider-definition.js';

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);

/** A self-contained page: no script, no outside stylesheet or font (nothing leaves the machine). */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2433; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgb(0 0 0 / 0.08); padding: 2rem; width: min(26rem, 90vw); }
  h1 { font-size: 1.25rem; margin-top: 0; }
  .tag { display: inline-block; font-size: 0.75rem; background: #fff4d6; color: #6b4e00; border-radius: 4px; padding: 0.1rem 0.4rem; margin-bottom: 1rem; }
  label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
  input { width: 100%; box-sizing: border-box; padding: 0.5rem; font-size: 1rem; border: 1px solid #c3c8d2; border-radius: 6px; }
  ul { padding-left: 1.2rem; } li { margin: 0.4rem 0; } code { font-size: 0.85em; color: #52607a; }
  .actions { display: flex; gap: 0.5rem; margin-top: 1.25rem; }
  button { font-size: 1rem; padding: 0.5rem 1rem; border-radius: 6px; border: 1px solid #2f5bd3; background: #2f5bd3; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #2f5bd3; }
</style>
</head>
<body><main><span class="tag">Sandbox · development only</span>${body}</main></body>
</html>`;
}

/** "Sign in as <name>": no password, the name is the account (the same name is the same account). */
export function signInPage(action: string, clientName: string): string {
  return page(
    'Sign in to the sandbox',
    `<h1>Sign in to the sandbox</h1>
<p>Sign in so that ${escapeHtml(clientName)} can connect to your sandbox account. Any name works; the same name is the same account.</p>
<form method="post" action="${escapeHtml(action)}">
  <label for="name">Your name</label>
  <input id="name" name="name" value="Sandbox user" maxlength="80" required autofocus>
  <div class="actions"><button type="submit">Sign in</button></div>
</form>`,
  );
}

/** The consent page: who asks, for which scopes (with what each allows), Allow or Deny. */
export function consentPage(action: string, denyAction: string, clientName: string, accountName: string, scopes: readonly ProviderScope[]): string {
  const list = scopes.map((scope) => `<li>${escapeHtml(scope.description)} <code>${escapeHtml(scope.name)}</code></li>`).join('');
  return page(
    'Allow access to your sandbox account',
    `<h1>Allow ${escapeHtml(clientName)} to access your sandbox account?</h1>
<p>Signed in as <strong>${escapeHtml(accountName)}</strong>. It asks to:</p>
<ul>${list}</ul>
<div class="actions">
  <form method="post" action="${escapeHtml(action)}"><button type="submit">Allow</button></form>
  <form method="post" action="${escapeHtml(denyAction)}"><button type="submit" class="secondary">Deny</button></form>
</div>`,
  );
}

/** An authorization error that cannot go back to the client (a bad redirect_uri, an expired interaction). */
export function errorPage(error: string, description: string | undefined): string {
  return page('Sandbox authorization error', `<h1>The sandbox could not go on</h1><p><code>${escapeHtml(error)}</code></p>${description ? `<p>${escapeHtml(description)}</p>` : ''}`);
}
