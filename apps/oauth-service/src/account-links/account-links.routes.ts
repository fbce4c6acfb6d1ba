import type { App, Handler } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Csrf } from '../interactions/csrf.ts';
import { checkCsrf, formOf, html } from '../interactions/interaction-steps.ts';
import {
  confirmEmailPage,
  FORGOT_PASSWORD_PATH,
  forgotPasswordPage,
  linkUnusablePage,
  resetRequestedPage,
  setPasswordPage,
} from '../pages/account-pages.ts';
import { messagePage } from '../pages/interaction-pages.ts';
import { type AccountMail, LINK_PATHS, type RequestContext } from './account-mail.ts';

// The pages behind the mailed links, under /interaction/ (the gateway's route to this service, and the CSRF
// cookie's path). Registered only when SMTP_URL is set: without mail they answer 404. A link's token
// travels in the query string (which no log keeps) and then in the form body, never in a path.

export interface AccountLinkRouteDeps {
  accountMail: AccountMail;
  csrf: Csrf;
}

const hidden = () => ({ schema: { hide: true } as const });
type PageHandler = Handler<ReturnType<typeof hidden>['schema']>;

// The CSRF token binds to the form it was issued for, as interaction forms bind to their interaction.
const FORM_IDS = {
  forgot: 'account:forgot',
  reset: 'account:reset',
  invite: 'account:invite',
  verify: 'account:verify',
};

const contextOf = (request: FastifyRequest): RequestContext => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  requestId: request.id,
});

/** A link's token, from its query string; the page it opens never passes its URL on as a Referer. */
const tokenOf = (request: FastifyRequest, reply: FastifyReply) => {
  reply.header('referrer-policy', 'no-referrer');
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : '';
};

const showForgot =
  ({ csrf }: AccountLinkRouteDeps): PageHandler =>
  async (request, reply) =>
    html(reply, forgotPasswordPage({ csrf: csrf.issue(request, reply, FORM_IDS.forgot) }));

const requestReset =
  ({ csrf, accountMail }: AccountLinkRouteDeps): PageHandler =>
  async (request, reply) => {
    checkCsrf(csrf, request, FORM_IDS.forgot);
    const email = (formOf(request).email ?? '').trim();
    if (!(await accountMail.requestPasswordReset(email, contextOf(request)))) {
      const error = 'Too many requests from your network. Wait a few minutes and try again.';
      return html(
        reply,
        forgotPasswordPage({ csrf: csrf.issue(request, reply, FORM_IDS.forgot), error }),
        [],
        429,
      );
    }
    return html(reply, resetRequestedPage());
  };

const PASSWORD_TITLES = { reset: 'Choose a new password', invite: 'Set your password' };

function passwordForm(
  deps: AccountLinkRouteDeps,
  purpose: 'reset' | 'invite',
  {
    request,
    reply,
    token,
    errors,
  }: { request: FastifyRequest; reply: FastifyReply; token: string; errors?: string[] },
) {
  const csrf = deps.csrf.issue(request, reply, FORM_IDS[purpose]);
  const page = setPasswordPage({
    action: LINK_PATHS[purpose],
    title: PASSWORD_TITLES[purpose],
    csrf,
    token,
    ...(errors ? { errors } : {}),
  });
  return html(reply, page, [], errors ? 400 : 200);
}

const unusable = (reply: FastifyReply) => html(reply, linkUnusablePage(), [], 400);

/** GET of a reset or invitation link: the password form while the link works. */
const showPasswordForm =
  (deps: AccountLinkRouteDeps, purpose: 'reset' | 'invite'): PageHandler =>
  async (request, reply) => {
    const token = tokenOf(request, reply);
    if (!(await deps.accountMail.linkIsUsable(token, purpose))) return unusable(reply);
    return passwordForm(deps, purpose, { request, reply, token });
  };

const DONE: Record<'reset' | 'invite', { title: string; message: string }> = {
  reset: {
    title: 'Password changed',
    message:
      'Your password is changed and you were signed out everywhere. Go back to the application and sign in with the new password.',
  },
  invite: {
    title: 'Password set',
    message:
      'Your account is ready. Go back to the application and sign in with your username and the new password.',
  },
};

const submitPassword =
  (deps: AccountLinkRouteDeps, purpose: 'reset' | 'invite'): PageHandler =>
  async (request, reply) => {
    checkCsrf(deps.csrf, request, FORM_IDS[purpose]);
    const { token = '', password = '', confirm = '' } = formOf(request);
    if (password !== confirm)
      return passwordForm(deps, purpose, {
        request,
        reply,
        token,
        errors: ['The new passwords do not match.'],
      });
    const complete = purpose === 'reset' ? deps.accountMail.resetPassword : deps.accountMail.acceptInvitation;
    const result = await complete(token, password, contextOf(request));
    if (!result.ok && result.reason === 'weak_password')
      return passwordForm(deps, purpose, { request, reply, token, errors: result.issues });
    if (!result.ok) return unusable(reply);
    return html(reply, messagePage(DONE[purpose].title, DONE[purpose].message));
  };

const showConfirmEmail =
  (deps: AccountLinkRouteDeps): PageHandler =>
  async (request, reply) => {
    const token = tokenOf(request, reply);
    if (!(await deps.accountMail.linkIsUsable(token, 'verify'))) return unusable(reply);
    const csrf = deps.csrf.issue(request, reply, FORM_IDS.verify);
    return html(reply, confirmEmailPage({ action: LINK_PATHS.verify, csrf, token }));
  };

/** POST, not the link's GET: mail scanners fetch links, and must not confirm an address by doing so. */
const confirmEmail =
  (deps: AccountLinkRouteDeps): PageHandler =>
  async (request, reply) => {
    checkCsrf(deps.csrf, request, FORM_IDS.verify);
    if (!(await deps.accountMail.confirmEmail(formOf(request).token ?? '', contextOf(request))))
      return unusable(reply);
    return html(reply, messagePage('Address confirmed', 'Thank you: your email address is confirmed.'));
  };

export function accountLinkRoutes(app: App, deps: AccountLinkRouteDeps): void {
  app.get(FORGOT_PASSWORD_PATH, hidden(), showForgot(deps));
  app.post(FORGOT_PASSWORD_PATH, hidden(), requestReset(deps));
  app.get(LINK_PATHS.reset, hidden(), showPasswordForm(deps, 'reset'));
  app.post(LINK_PATHS.reset, hidden(), submitPassword(deps, 'reset'));
  app.get(LINK_PATHS.invite, hidden(), showPasswordForm(deps, 'invite'));
  app.post(LINK_PATHS.invite, hidden(), submitPassword(deps, 'invite'));
  app.get(LINK_PATHS.verify, hidden(), showConfirmEmail(deps));
  app.post(LINK_PATHS.verify, hidden(), confirmEmail(deps));
}
