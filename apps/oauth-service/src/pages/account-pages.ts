import { errorBlock, escapeHtml, page } from './html.ts';

// The pages of the mailed links: ask for a reset, choose a password (reset or invitation), confirm an address.

export const FORGOT_PASSWORD_PATH = '/interaction/account/forgot';

export const forgotPasswordPage = (p: { csrf: string; error?: string }) =>
  page(
    'Forgot password',
    `<h1>Forgot your password?</h1>
<p class="muted">Give the email address of your account: we send a link to choose a new password.</p>
${errorBlock(p.error)}
<form method="post" action="${FORGOT_PASSWORD_PATH}">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<label for="email">Email address</label>
<input id="email" type="email" name="email" autocomplete="email" required autofocus>
<div class="actions"><button type="submit">Send the link</button></div>
</form>`,
  );

// One answer for every address, known or not: the page never says which accounts exist.
export const resetRequestedPage = () =>
  page(
    'Check your mail',
    `<h1>Check your mail</h1>
<p role="status">If an account exists for that address, we sent a link to it. The link works once, for 30 minutes.</p>
<p class="muted">No mail? Check the spam folder, or ask again in a few minutes.</p>`,
  );

export interface SetPasswordPageInput {
  action: string;
  title: string;
  csrf: string;
  token: string;
  errors?: string[];
}

export const setPasswordPage = (p: SetPasswordPageInput) =>
  page(
    p.title,
    `<h1>${escapeHtml(p.title)}</h1>
${(p.errors ?? []).map((e) => errorBlock(e)).join('')}
<form method="post" action="${escapeHtml(p.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<input type="hidden" name="token" value="${escapeHtml(p.token)}">
<label for="password">New password</label>
<input id="password" type="password" name="password" autocomplete="new-password" minlength="12" required autofocus>
<label for="confirm">Repeat the new password</label>
<input id="confirm" type="password" name="confirm" autocomplete="new-password" minlength="12" required>
<div class="actions"><button type="submit">Save the password</button></div>
</form>`,
  );

export const confirmEmailPage = (p: { action: string; csrf: string; token: string }) =>
  page(
    'Confirm your email address',
    `<h1>Confirm your email address</h1>
<p>Confirm that this address belongs to your account.</p>
<form method="post" action="${escapeHtml(p.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<input type="hidden" name="token" value="${escapeHtml(p.token)}">
<div class="actions"><button type="submit">Confirm</button></div>
</form>`,
  );

export const linkUnusablePage = () =>
  page(
    'Link expired',
    `<h1>This link no longer works</h1>
<p>It was already used, has expired, or a newer one was sent. Ask for a new one.</p>`,
  );
