import type { KoaContextWithOIDC } from 'oidc-provider';
import { contentSecurityPolicy, errorBlock, escapeHtml, page, scriptHash } from '../pages/html.ts';

// The pages oidc-provider renders itself (errors, RP-initiated logout, device flow), in the platform's look
// and under the same CSP as the sign-in pages. `form` is the provider's own hidden form markup.

function send(ctx: KoaContextWithOIDC, html: string, formTargets: string[] = [], scripts: string[] = []) {
  ctx.type = 'html';
  ctx.set('content-security-policy', contentSecurityPolicy(formTargets, scripts));
  ctx.set('cache-control', 'no-store');
  ctx.body = html;
}

const clientName = (ctx: KoaContextWithOIDC) =>
  ctx.oidc?.client?.clientName ?? ctx.oidc?.client?.clientId ?? 'the application';

export async function renderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
) {
  send(
    ctx,
    page(
      'Something went wrong',
      `<h1>Something went wrong</h1>
${errorBlock(out.error_description ?? out.error)}
<p class="muted">Error code: <strong>${escapeHtml(out.error)}</strong>. You can close this window and start again from the application.</p>`,
    ),
  );
}

/** The origins the provider may redirect to after sign-out: the client's post_logout_redirect_uris. */
const postLogoutOrigins = (ctx: KoaContextWithOIDC) =>
  (ctx.oidc?.client?.postLogoutRedirectUris ?? []).map((uri) => new URL(uri).origin);

/**
 * Whether this sign-out request provably comes from the signed-in user's own first-party client: an
 * id_token_hint the provider validated (signature, issuer, audience), issued to that client during this very
 * session for this very user. OpenID RP-Initiated Logout 1.0 §3 requires asking the user only when there is
 * no such hint; a forged cross-site request cannot carry one (the console keeps its ID tokens in its sealed,
 * httpOnly session cookie).
 */
async function provenFirstPartyLogout(
  ctx: KoaContextWithOIDC,
  isFirstParty: (clientId: string) => Promise<boolean>,
): Promise<boolean> {
  const hint = (ctx.oidc?.entities as { IdTokenHint?: { payload?: { sub?: string; iat?: number } } })
    ?.IdTokenHint?.payload;
  const session = ctx.oidc?.session;
  const clientId = ctx.oidc?.client?.clientId;
  if (!hint || !session?.accountId || !clientId) return false;
  if (hint.sub !== session.accountId || !session.authorizations?.[clientId]) return false;
  if (typeof hint.iat !== 'number' || hint.iat < (session.loginTs ?? Number.POSITIVE_INFINITY)) return false;
  return isFirstParty(clientId);
}

// Submits the provider's own logout form (with its XSRF token) as if "Sign out" were clicked; its hash is
// the only script the page's CSP allows.
const SUBMIT_LOGOUT = "document.getElementById('op.logoutForm').submit();";

/**
 * RP-initiated sign-out. A third-party client's request asks the user; the platform's own client, proven by
 * its id_token_hint, signs out at once (one click in the console) through a self-submitting form, with a
 * button for browsers without JavaScript.
 */
export const logoutSource =
  (isFirstParty: (clientId: string) => Promise<boolean>) => async (ctx: KoaContextWithOIDC, form: string) => {
    if (await provenFirstPartyLogout(ctx, isFirstParty)) {
      const signingOut = `<h1>Signing out…</h1>
${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}
<noscript><div class="actions"><button type="submit" form="op.logoutForm">Continue</button></div></noscript>
<script>${SUBMIT_LOGOUT}</script>`;
      return send(ctx, page('Signing out', signingOut), postLogoutOrigins(ctx), [scriptHash(SUBMIT_LOGOUT)]);
    }
    send(
      ctx,
      page(
        'Sign out',
        `<h1>Sign out of ${escapeHtml(ctx.host)}?</h1>
${form}
<div class="actions"><button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button></div>`,
      ),
      // After sign-out the provider redirects to the client's post_logout_redirect_uri.
      postLogoutOrigins(ctx),
    );
  };

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
  send(
    ctx,
    page('Signed out', `<h1>Signed out</h1><p>You have signed out of ${escapeHtml(clientName(ctx))}.</p>`),
  );
}

export async function userCodeInputSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _out: unknown,
  err?: Error & { userCode?: string },
) {
  const message = !err
    ? undefined
    : err.userCode || err.name === 'NoCodeError'
      ? 'That code is not valid. Check the code on your device and try again.'
      : err.name === 'AbortedError'
        ? 'The sign-in request was cancelled.'
        : 'Your request could not be processed.';
  send(
    ctx,
    page(
      'Connect a device',
      `<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
${errorBlock(message)}
${form}
<label for="user_code">Code</label>
<input id="user_code" type="text" name="user_code" form="op.deviceInputForm" autocomplete="off" autocapitalize="characters" required autofocus>
<div class="actions"><button type="submit" form="op.deviceInputForm">Continue</button></div>`,
    ),
  );
}

export async function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _client: unknown,
  _info: unknown,
  userCode: string,
) {
  send(
    ctx,
    page(
      'Confirm the device',
      `<h1>Confirm the device</h1>
<p><strong>${escapeHtml(clientName(ctx))}</strong> shows this code:</p>
<p><code>${escapeHtml(userCode)}</code></p>
<p class="muted">Continue only if the code matches what your device shows.</p>
${form}
<div class="actions"><button type="submit" form="op.deviceConfirmForm" autofocus>Continue</button>
<button class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button></div>`,
    ),
  );
}

export async function deviceSuccessSource(ctx: KoaContextWithOIDC) {
  send(
    ctx,
    page(
      'Device connected',
      `<h1>Device connected</h1><p>You can return to your device: ${escapeHtml(clientName(ctx))} is signed in.</p>`,
    ),
  );
}
