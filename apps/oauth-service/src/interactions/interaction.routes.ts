import { type App, type Handler, HttpError } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { SignIn, SignInResult } from '../accounts/sign-in.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { mfaInteractionRoutes } from '../mfa/mfa-interaction.routes.ts';
import {
  afterFirstFactor,
  type MfaStepDeps,
  pendingMfa,
  showPending,
  startStepUp,
} from '../mfa/mfa-steps.ts';
import { STEP_UP_REASON } from '../mfa/prompt-policy.ts';
import {
  changePasswordPage,
  LOGIN_PAGE_SOURCES,
  loginPage,
  messagePage,
} from '../pages/interaction-pages.ts';
import { type ConsentDeps, consentPageFor, grantAndFinish } from './consent-steps.ts';
import type { Csrf } from './csrf.ts';
import {
  auditContext,
  checkCsrf,
  clientName,
  type Details,
  finishInteraction,
  formOf,
  html,
  loadInteraction,
  redirectOrigin,
} from './interaction-steps.ts';

// The sign-in, password-change and consent steps oidc-provider delegates to the application. Each handler
// is a short sequence: load the interaction, check the CSRF token, do the step, hand the result back to the
// provider (which redirects on to the client).

export interface InteractionDeps extends ConsentDeps, MfaStepDeps {
  provider: () => Provider;
  csrf: Csrf;
  signIn: SignIn;
  users: {
    get(id: string): Promise<{ id: string; username: string } | undefined>;
    setPassword(id: string, password: string, options?: { mustChangePassword?: boolean }): Promise<void>;
  };
  audit: Pick<AuditLog, 'record'>;
  /** The sign-in page's "Forgot password?" link; undefined when the platform sends no mail. */
  forgotPasswordUrl?: string | undefined;
  /** The enabled upstream identity providers the sign-in page offers. */
  upstreamButtons?: () => Promise<Array<{ id: string; displayName: string }>>;
}

const FAILURE_MESSAGES: Record<string, string> = {
  // One message for unknown users and wrong passwords: the page never says which accounts exist.
  invalid_credentials: 'The username or password is incorrect.',
  locked: 'Too many failed attempts. This account is locked for a while; try again later.',
  disabled: 'This account is disabled. Contact your administrator.',
  rate_limited: 'Too many sign-in attempts from your network. Wait a minute and try again.',
};

// HTML forms outside the admin API's OpenAPI document; the bodies are read as forms (see FormBody).
const hidden = () => ({ schema: { hide: true } as const });
type InteractionHandler = Handler<ReturnType<typeof hidden>['schema']>;
type SignInFailure = Extract<SignInResult, { ok: false }>;

/** GET /interaction/:uid: the page of the step the provider is waiting for (sign-in or consent). */
const showInteraction =
  (deps: InteractionDeps): InteractionHandler =>
  async (request, reply) => {
    const details = await loadInteraction(deps.provider(), request, reply);
    const uid = details.uid;
    const pending = pendingMfa(details);
    if (pending) return showPending(deps, { request, reply, details }, pending);
    if (isStepUp(details)) return startStepUp(deps, { request, reply, details }, details.session!);
    const token = deps.csrf.issue(request, reply, uid);
    if (details.prompt.name === 'login') {
      const page = loginPage({
        uid,
        csrf: token,
        clientName: await clientName(deps.provider(), details),
        forgotPasswordUrl: deps.forgotPasswordUrl,
        upstreams: await deps.upstreamButtons?.(),
      });
      return html(reply, page, redirectOrigin(details), 200, LOGIN_PAGE_SOURCES);
    }
    if (details.prompt.name === 'consent') {
      // The platform's own client: consent is the operator's, given when they marked it first-party.
      if (await deps.isFirstParty(String(details.params.client_id)))
        return grantAndFinish(deps, { request, reply, details }, true);
      return html(reply, await consentPageFor(deps, details, token), redirectOrigin(details));
    }
    return html(reply, messagePage('Unsupported step', 'This sign-in step is not supported.'), [], 400);
  };

/** Only the second factor is missing: the browser's session stays, and its account is asked for it. */
const isStepUp = (details: Details) =>
  details.prompt.name === 'login' &&
  details.session?.accountId !== undefined &&
  details.prompt.reasons.length > 0 &&
  details.prompt.reasons.every((reason) => reason === STEP_UP_REASON);

/** A refused sign-in: audited, then the sign-in page again with the reason. */
async function refuseSignIn(
  deps: InteractionDeps,
  {
    request,
    reply,
    details,
    login,
  }: { request: FastifyRequest; reply: FastifyReply; details: Details; login: string },
  outcome: SignInFailure,
) {
  // The typed login is never stored: it may be a password typed into the wrong box. A known account is
  // named by its id and stored username; an unknown (or unchecked, rate-limited) login only as such.
  const { account } = outcome;
  await deps.audit.record({
    ...auditContext(request, String(details.params.client_id)),
    actorType: 'user',
    actorId: account?.id ?? null,
    actorName: account?.username ?? null,
    action: outcome.reason === 'locked' ? 'login.locked' : 'login.failure',
    outcome: 'failure',
    details: {
      reason: outcome.reason,
      login: account ? 'known' : outcome.reason === 'rate_limited' ? 'unchecked' : 'unknown',
    },
  });
  const token = deps.csrf.issue(request, reply, details.uid);
  const status = outcome.reason === 'rate_limited' ? 429 : 200;
  const page = loginPage({
    uid: details.uid,
    csrf: token,
    clientName: await clientName(deps.provider(), details),
    login,
    error: FAILURE_MESSAGES[outcome.reason],
    forgotPasswordUrl: deps.forgotPasswordUrl,
    upstreams: await deps.upstreamButtons?.(),
  });
  return html(reply, page, redirectOrigin(details), status, LOGIN_PAGE_SOURCES);
}

/** POST /interaction/:uid/login: checks the credentials; a first password must be changed before going on. */
const submitLogin =
  (deps: InteractionDeps): InteractionHandler =>
  async (request, reply) => {
    const details = await loadInteraction(deps.provider(), request, reply);
    checkCsrf(deps.csrf, request, details.uid);
    const form = formOf(request);
    const login = (form.login ?? '').trim();
    const password = form.password ?? '';
    // Not complete yet: a second factor may follow, and only a finished sign-in clears the failure count.
    const outcome = await deps.signIn.attempt({ login, password, ip: request.ip, complete: false });
    if (!outcome.ok) return refuseSignIn(deps, { request, reply, details, login }, outcome);
    const { user } = outcome;
    // `login.success` is recorded when the sign-in finishes (mfa-steps.ts), after any second factor.
    if (user.mustChangePassword) {
      const page = changePasswordPage({
        uid: details.uid,
        csrf: deps.csrf.issue(request, reply, details.uid),
        login,
      });
      return html(reply, page, redirectOrigin(details));
    }
    return afterFirstFactor(deps, { request, reply, details }, user.id, ['pwd']);
  };

/** POST /interaction/:uid/password: the required change of a first (or reset) password. */
const changePassword =
  (deps: InteractionDeps): InteractionHandler =>
  async (request, reply) => {
    const details = await loadInteraction(deps.provider(), request, reply);
    checkCsrf(deps.csrf, request, details.uid);
    const { login = '', current = '', password = '', confirm = '' } = formOf(request);
    const again = (errors: string[]) => {
      const page = changePasswordPage({
        uid: details.uid,
        csrf: deps.csrf.issue(request, reply, details.uid),
        login,
        errors,
      });
      return html(reply, page, redirectOrigin(details));
    };
    // The current password is asked again: the form is stateless, so it re-authenticates the user.
    const outcome = await deps.signIn.attempt({ login, password: current, ip: request.ip, complete: false });
    if (!outcome.ok) return again([FAILURE_MESSAGES[outcome.reason] ?? 'Sign-in failed.']);
    if (password !== confirm) return again(['The new passwords do not match.']);
    if (password === current) return again(['The new password must differ from the current one.']);
    try {
      await deps.users.setPassword(outcome.user.id, password, { mustChangePassword: false });
    } catch (error) {
      const issues = (error as { issues?: Array<{ message: string }> }).issues;
      if (issues) return again(issues.map((i) => i.message));
      throw error;
    }
    await deps.audit.record({
      ...auditContext(request, String(details.params.client_id)),
      actorType: 'user',
      actorId: outcome.user.id,
      actorName: outcome.user.username,
      action: 'user.password_change',
      outcome: 'success',
    });
    return afterFirstFactor(deps, { request, reply, details }, outcome.user.id, ['pwd']);
  };

/** POST /interaction/:uid/confirm: the user consents; the consent is remembered for their next sign-in. */
const confirmConsent =
  (deps: InteractionDeps): InteractionHandler =>
  async (request, reply) => {
    const details = await loadInteraction(deps.provider(), request, reply);
    checkCsrf(deps.csrf, request, details.uid);
    if (details.prompt.name !== 'consent')
      throw new HttpError({
        status: 400,
        code: 'not_consent',
        detail: 'There is nothing to consent to in this step.',
      });
    return grantAndFinish(deps, { request, reply, details }, false);
  };

/** GET /interaction/:uid/abort: the user cancels; the client gets access_denied. */
const abortInteraction =
  (deps: InteractionDeps): InteractionHandler =>
  async (request, reply) => {
    await loadInteraction(deps.provider(), request, reply);
    return finishInteraction(deps.provider(), request, reply, {
      error: 'access_denied',
      error_description: 'The user cancelled the request.',
    });
  };

export function interactionRoutes(app: App, deps: InteractionDeps): void {
  app.get('/interaction/:uid', hidden(), showInteraction(deps));
  app.post('/interaction/:uid/login', hidden(), submitLogin(deps));
  app.post('/interaction/:uid/password', hidden(), changePassword(deps));
  app.post('/interaction/:uid/confirm', hidden(), confirmConsent(deps));
  app.get('/interaction/:uid/abort', hidden(), abortInteraction(deps));
  mfaInteractionRoutes(app, deps);
}
