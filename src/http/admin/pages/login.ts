// The login form. The key goes in a POST body, never in a URL; the answer sets an HttpOnly cookie.
import { html } from '../html.js';
import { page } from '../layout.js';

export function loginPage(error: string | null, notice: { text: string; error?: boolean } | null = null): string {
  return page(
    { title: 'Log in', notice: error ? { text: error, error: true } : notice },
    html`<form class="login" method="post" action="/admin/login" autocomplete="off">
  <h1>calsync admin</h1>
  <label for="key">Internal API key</label>
  <input id="key" name="key" type="password" required autofocus autocomplete="current-password">
  <button type="submit">Log in</button>
  <p class="muted">The INTERNAL_API_KEY calsync printed at first start (or the one you set).</p>
</form>`,
  );
}
