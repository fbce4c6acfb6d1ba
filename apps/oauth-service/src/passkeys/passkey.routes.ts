import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type App, type Handler, HttpError } from '@platform/http';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionDeps } from '../interactions/interaction.routes.ts';
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
} from '../interactions/interaction-steps.ts';
import { afterFirstFactor, type MfaStepDeps } from '../mfa/mfa-steps.ts';
import { ACR_MFA } from '../mfa/policy.ts';
import { LOGIN_PAGE_SOURCES, loginPage } from '../pages/interaction-pages.ts';
import type { AssertionFailure, AssertionResult } from './passkey-assertion.ts';
import type { PasskeyService } from './passkeys.service.ts';

// Passwordless sign-in with a passkey on the sign-in page: the page's script asks for options (a challenge
// bound to the interaction), the browser's authenticator signs it, and the signed answer comes back as a
// form post, checked under the same CSRF token, limits and audit as the password form.

export interface PasskeyRouteDeps
  extends MfaStepDeps,
    Pick<InteractionDeps, 'forgotPasswordUrl' | 'upstreamButtons'> {
  passkeys: PasskeyService;
}

export const FAILURE_MESSAGES: Record<AssertionFailure, string> = {
  expired: 'The passkey request expired. Try again.',
  invalid_credentials: 'That passkey was not accepted.',
  // The same words as a refused passkey: the page does not tell an attacker what the audit log records.
  cloned: 'That passkey was not accepted.',
  user_verification_required:
    'This application asks your passkey to verify you. Try again and confirm with your PIN or biometrics.',
  locked: 'Too many failed attempts. This account is locked for a while; try again later.',
  disabled: 'This account is disabled. Contact your administrator.',
  rate_limited: 'Too many sign-in attempts from your network. Wait a minute and try again.',
};

const hidden = () => ({ schema: { hide: true } as const });
type PasskeyHandler = Handler<ReturnType<typeof hidden>['schema']>;

/** The interaction, only while it waits for a sign-in, its CSRF token checked. */
async function loginInteraction(deps: PasskeyRouteDeps, request: FastifyRequest, reply: FastifyReply) {
  const details = await loadInteraction(deps.provider(), request, reply);
  // The browser's interaction cookie names the interaction; the path must name the same one.
  if ((request.params as { uid?: string }).uid !== details.uid)
    throw new HttpError({
      status: 400,
      code: 'interaction_expired',
      detail: 'This sign-in request has expired or is unknown. Start again from the application.',
    });
  checkCsrf(deps.csrf, request, details.uid);
  if (details.prompt.name !== 'login')
    throw new HttpError({ status: 400, code: 'not_sign_in', detail: 'This step does not sign anyone in.' });
  return details;
}

/** POST /interaction/:uid/passkey/options: the assertion options, with a new challenge for this interaction. */
const passkeyOptions =
  (deps: PasskeyRouteDeps): PasskeyHandler =>
  async (request, reply) => {
    const details = await loginInteraction(deps, request, reply);
    const options = await deps.passkeys.authenticationOptions(details.uid, details.exp * 1000);
    return reply.header('cache-control', 'no-store').send(options);
  };

const requestsMfa = (details: Details) =>
  String(details.params.acr_values ?? '')
    .split(' ')
    .includes(ACR_MFA);

export function parseCredential(text: string | undefined): AuthenticationResponseJSON | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return value !== null && typeof value === 'object' ? (value as AuthenticationResponseJSON) : undefined;
  } catch {
    return undefined;
  }
}

// A suspected clone is its own event for whoever watches the audit log; a lock is, as for passwords.
const AUDIT_ACTIONS: Partial<Record<AssertionFailure, string>> = {
  cloned: 'passkey.counter_regressed',
  locked: 'login.locked',
};

type Step = { request: FastifyRequest; reply: FastifyReply; details: Details };

/** A refused passkey: audited (never the credential itself), then the sign-in page again with the reason. */
async function refusePasskey(
  deps: PasskeyRouteDeps,
  { request, reply, details }: Step,
  outcome: Extract<AssertionResult, { ok: false }>,
) {
  const { account, reason } = outcome;
  const action = AUDIT_ACTIONS[reason] ?? 'login.failure';
  await deps.audit.record({
    ...auditContext(request, String(details.params.client_id)),
    actorType: 'user',
    actorId: account?.id ?? null,
    actorName: account?.username ?? null,
    action,
    outcome: 'failure',
    details: {
      reason,
      factor: 'passkey',
      login: account ? 'known' : reason === 'rate_limited' ? 'unchecked' : 'unknown',
      ...(outcome.passkeyId ? { passkeyId: outcome.passkeyId } : {}),
    },
  });
  const page = loginPage({
    uid: details.uid,
    csrf: deps.csrf.issue(request, reply, details.uid),
    clientName: await clientName(deps.provider(), details),
    error: FAILURE_MESSAGES[reason],
    forgotPasswordUrl: deps.forgotPasswordUrl,
    upstreams: await deps.upstreamButtons?.(),
  });
  const status = reason === 'rate_limited' ? 429 : 200;
  return html(reply, page, redirectOrigin(details), status, LOGIN_PAGE_SOURCES);
}

/** POST /interaction/:uid/passkey: the signed assertion; a valid one signs its owner in. */
const submitPasskey =
  (deps: PasskeyRouteDeps): PasskeyHandler =>
  async (request, reply) => {
    const details = await loginInteraction(deps, request, reply);
    const step = { request, reply, details };
    const response = parseCredential(formOf(request).credential);
    if (!response) {
      throw new HttpError({
        status: 400,
        code: 'invalid_credential',
        detail: 'The passkey answer is missing or not JSON.',
      });
    }
    const outcome = await deps.passkeys.verifyAuthentication(details.uid, response, {
      ip: request.ip,
      requireUserVerification: requestsMfa(details),
    });
    if (!outcome.ok) return refusePasskey(deps, step, outcome);
    // Without user verification a passkey is one factor: the sign-in goes on as after a password.
    if (outcome.acr !== ACR_MFA) return afterFirstFactor(deps, step, outcome.user.id, outcome.amr);
    await deps.audit.record({
      ...auditContext(request, String(details.params.client_id)),
      actorType: 'user',
      actorId: outcome.user.id,
      actorName: outcome.user.username,
      action: 'login.success',
      outcome: 'success',
      details: { factor: 'passkey', passkeyId: outcome.passkeyId, amr: outcome.amr },
    });
    const { amr, acr } = outcome;
    return finishInteraction(deps.provider(), request, reply, {
      login: { accountId: outcome.user.id, amr, acr },
    });
  };

/** The page script and the @simplewebauthn/browser bundle, read once; served from the service's own origin. */
function passkeyAssets() {
  const require = createRequire(import.meta.url);
  // The package exports only its modules; its browser bundle sits beside them in the package directory.
  const browserPackage = dirname(dirname(require.resolve('@simplewebauthn/browser')));
  return {
    'webauthn.js': readFileSync(join(browserPackage, 'dist/bundle/index.umd.min.js'), 'utf8'),
    'passkey-sign-in.js': readFileSync(new URL('./assets/passkey-sign-in.js', import.meta.url), 'utf8'),
  };
}

const serveAsset =
  (body: string): PasskeyHandler =>
  async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(body);

export function passkeyRoutes(app: App, deps: PasskeyRouteDeps): void {
  for (const [name, body] of Object.entries(passkeyAssets()))
    app.get(`/interaction/assets/${name}`, hidden(), serveAsset(body));
  app.post('/interaction/:uid/passkey/options', hidden(), passkeyOptions(deps));
  app.post('/interaction/:uid/passkey', hidden(), submitPasskey(deps));
}
