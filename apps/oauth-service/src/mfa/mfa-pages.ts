import { errorBlock, escapeHtml, page } from '../pages/html.ts';
import { PASSKEY_SCRIPTS } from '../pages/interaction-pages.ts';

// The second-factor pages of the sign-in: plain forms that work without JavaScript, like the sign-in page.

interface StepPage {
  uid: string;
  csrf: string;
  clientName: string;
  error?: string | undefined;
}

const csrfField = (csrf: string) => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;
const cancelForm = (uid: string) =>
  `<form method="get" action="/interaction/${escapeHtml(uid)}/abort"><div class="actions"><button class="secondary" type="submit">Cancel</button></div></form>`;

export interface SecondFactorPageInput extends StepPage {
  /** The user has a passkey: the page offers it (its script shows the button). */
  passkey?: boolean;
  /** The user has a TOTP or recovery codes left: the code form (default shown). */
  code?: boolean;
}

const codeForm = (
  p: StepPage,
) => `<form method="post" action="/interaction/${escapeHtml(p.uid)}/mfa" autocomplete="off">
${csrfField(p.csrf)}
<label for="code">Code from your authenticator app</label>
<input id="code" type="text" name="code" autocomplete="one-time-code" spellcheck="false" maxlength="32" required autofocus aria-describedby="code-help">
<p id="code-help" class="muted">Lost your device? Type one of your recovery codes instead.</p>
<div class="actions"><button type="submit">Verify</button></div>
</form>`;

// Hidden until its script shows it, as on the sign-in page; no autofill here, as no field names a user.
const passkeyForm = (
  p: StepPage,
  alone: boolean,
) => `<form id="passkey-form" method="post" action="/interaction/${escapeHtml(p.uid)}/mfa/passkey" data-options="/interaction/${escapeHtml(p.uid)}/mfa/passkey/options" data-autofill="off" hidden>
${csrfField(p.csrf)}
<input type="hidden" name="credential" value="">
<div class="actions"><button${alone ? '' : ' class="secondary"'} type="submit">Use a passkey</button></div>
<p id="passkey-status" class="muted" role="status"></p>
</form>
${alone ? '<noscript><p>Your passkey needs JavaScript: turn it on for this page, or ask your administrator to reset your sign-in factors.</p></noscript>' : ''}
${PASSKEY_SCRIPTS.map((src) => `<script src="${src}" defer></script>`).join('\n')}`;

export const secondFactorPage = (p: SecondFactorPageInput) => {
  const code = p.code ?? true;
  return page(
    'Two-step verification',
    `<h1>Two-step verification</h1>
<p class="muted">to continue to <strong>${escapeHtml(p.clientName)}</strong></p>
${errorBlock(p.error)}
${code ? codeForm(p) : '<p>Confirm with your passkey to continue.</p>'}
${p.passkey ? passkeyForm(p, !code) : ''}
${cancelForm(p.uid)}`,
  );
};

export interface EnrolPageInput extends StepPage {
  qrSvg: string;
  secret: string;
}

/** Sized and labelled for assistive technology; the SVG carries no script and no style attribute. */
const sizedQr = (svg: string) =>
  svg.replace(
    '<svg ',
    '<svg width="200" height="200" role="img" aria-label="QR code for your authenticator app" ',
  );

export const enrolPage = (p: EnrolPageInput) =>
  page(
    'Set up two-step verification',
    `<h1>Set up two-step verification</h1>
<p>Your account needs a second factor. Scan this code with an authenticator app (any app implementing TOTP), then type the six-digit code it shows.</p>
${errorBlock(p.error)}
<div>${sizedQr(p.qrSvg)}</div>
<p class="muted">Cannot scan? Enter this key in the app instead:</p>
<p><code>${escapeHtml(p.secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>
<form method="post" action="/interaction/${escapeHtml(p.uid)}/mfa/enrol" autocomplete="off">
${csrfField(p.csrf)}
<label for="code">Code from your authenticator app</label>
<input id="code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required>
<div class="actions"><button type="submit">Confirm</button></div>
</form>
${cancelForm(p.uid)}`,
  );

export interface RecoveryCodesPageInput {
  uid: string;
  csrf: string;
  /** Shown once, right after enrolment; undefined when the page is shown again (the codes are not). */
  codes?: string[] | undefined;
}

export const recoveryCodesPage = (p: RecoveryCodesPageInput) =>
  page(
    'Recovery codes',
    `<h1>Two-step verification is on</h1>
${
  p.codes
    ? `<p>Keep these recovery codes somewhere safe. Each signs you in once if you lose your authenticator app. They are shown only now.</p>
<ul class="scopes recovery-codes">${p.codes.map((code) => `<li><span class="scope-name">${escapeHtml(code)}</span></li>`).join('')}</ul>`
    : '<p>Your recovery codes were shown once, right after you set up the app. New ones can be made in your account.</p>'
}
<form method="post" action="/interaction/${escapeHtml(p.uid)}/mfa/continue">
${csrfField(p.csrf)}
<div class="actions"><button type="submit">Continue</button></div>
</form>`,
  );
