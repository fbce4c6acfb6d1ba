import { errorBlock, escapeHtml, page } from './html.ts';

export interface LoginPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  login?: string;
  error?: string;
  /** Where "Forgot password?" leads; absent when the platform sends no mail. */
  forgotPasswordUrl?: string | undefined;
  /** The enabled upstream identity providers, one "Sign in with …" button each. */
  upstreams?: ReadonlyArray<{ id: string; displayName: string }> | undefined;
}

/** The sign-in page runs its passkey scripts, served by the service itself, and calls back to it. */
export const LOGIN_PAGE_SOURCES = { scripts: ["'self'"], connect: ["'self'"] };
export const PASSKEY_SCRIPTS = ['/interaction/assets/webauthn.js', '/interaction/assets/passkey-sign-in.js'];

// Hidden until its script shows it: without JavaScript (or WebAuthn) the page is the password form alone.
const passkeyForm = (
  p: LoginPageInput,
) => `<form id="passkey-form" method="post" action="/interaction/${escapeHtml(p.uid)}/passkey" data-options="/interaction/${escapeHtml(p.uid)}/passkey/options" hidden>
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<input type="hidden" name="credential" value="">
<div class="actions"><button class="secondary" type="submit">Use a passkey</button></div>
<p id="passkey-status" class="muted" role="status"></p>
</form>
${PASSKEY_SCRIPTS.map((src) => `<script src="${src}" defer></script>`).join('\n')}`;

// Links, not forms: the page's CSP limits where forms may lead (redirects included), and the upstream's origin
// is not among them. They work without JavaScript; each names its provider.
const upstreamLinks = (p: LoginPageInput) =>
  p.upstreams?.length
    ? `<nav class="upstreams" aria-label="Other ways to sign in">${p.upstreams
        .map(
          (u) =>
            `<a class="button" href="/login/upstream/${encodeURIComponent(u.id)}?interaction=${encodeURIComponent(p.uid)}">Sign in with ${escapeHtml(u.displayName)}</a>`,
        )
        .join('\n')}</nav>`
    : '';

export const loginPage = (p: LoginPageInput) =>
  page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="muted">to continue to <strong>${escapeHtml(p.clientName)}</strong></p>
${errorBlock(p.error)}
<form method="post" action="/interaction/${escapeHtml(p.uid)}/login" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<label for="login">Username or email</label>
<input id="login" type="text" name="login" value="${escapeHtml(p.login)}" autocomplete="username webauthn" required autofocus>
<label for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
${passkeyForm(p)}
${upstreamLinks(p)}
<form method="get" action="/interaction/${escapeHtml(p.uid)}/abort"><div class="actions"><button class="secondary" type="submit">Cancel</button></div></form>
${p.forgotPasswordUrl ? `<p class="links"><a href="${escapeHtml(p.forgotPasswordUrl)}">Forgot password?</a></p>` : ''}`,
  );

export interface ChangePasswordPageInput {
  uid: string;
  csrf: string;
  login: string;
  errors?: string[];
}

export const changePasswordPage = (p: ChangePasswordPageInput) =>
  page(
    'Choose a new password',
    `<h1>Choose a new password</h1>
<p class="muted">Your password must be changed before you continue.</p>
${(p.errors ?? []).map((e) => errorBlock(e)).join('')}
<form method="post" action="/interaction/${escapeHtml(p.uid)}/password">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<input type="hidden" name="login" value="${escapeHtml(p.login)}">
<label for="current">Current password</label>
<input id="current" type="password" name="current" autocomplete="current-password" required>
<label for="password">New password</label>
<input id="password" type="password" name="password" autocomplete="new-password" minlength="12" required>
<label for="confirm">Repeat the new password</label>
<input id="confirm" type="password" name="confirm" autocomplete="new-password" minlength="12" required>
<div class="actions"><button type="submit">Change password</button></div>
</form>`,
  );

export interface ConsentPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  username: string;
  /** What the client asks for: a plain-language description first, the scope's name beneath it. */
  scopes: Array<{ name: string; description: string }>;
  withheld: Array<{ name: string; description: string }>;
}

const scopeItem = (s: { name: string; description: string }) =>
  `<li>${escapeHtml(s.description)}<br><span class="muted scope-name">${escapeHtml(s.name)}</span></li>`;

export const consentPage = (p: ConsentPageInput) =>
  page(
    'Allow access',
    `<h1>Allow access?</h1>
<p><strong>${escapeHtml(p.clientName)}</strong> asks to act as <strong>${escapeHtml(p.username)}</strong>. It will be able to:</p>
<ul class="scopes">${p.scopes.map(scopeItem).join('')}</ul>
${p.withheld.length ? `<p class="muted">Not granted (your roles or this client do not allow it):</p><ul class="scopes withheld">${p.withheld.map(scopeItem).join('')}</ul>` : ''}
<form method="post" action="/interaction/${escapeHtml(p.uid)}/confirm">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<div class="actions"><button type="submit">Allow</button></div>
</form>
<form method="get" action="/interaction/${escapeHtml(p.uid)}/abort"><div class="actions"><button class="secondary" type="submit">Deny</button></div></form>`,
  );

export const messagePage = (title: string, message: string) =>
  page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
