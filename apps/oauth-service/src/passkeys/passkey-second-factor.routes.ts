import { type App, type Handler, HttpError } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContext, checkCsrf, formOf, loadInteraction } from '../interactions/interaction-steps.ts';
import {
  finishSignIn,
  type MfaStepDeps,
  type PendingMfa,
  passkeyPassed,
  pendingMfa,
  type StepContext,
  showPending,
} from '../mfa/mfa-steps.ts';
import { withSecondFactor } from '../mfa/policy.ts';
import { FAILURE_MESSAGES, parseCredential } from './passkey.routes.ts';
import type { AssertionResult } from './passkey-assertion.ts';
import type { PasskeyService } from './passkeys.service.ts';

// A passkey as the second factor, after a password: the second-factor page's script asks for options listing
// the pending user's passkeys, and posts the signed answer with the page's CSRF token. Only that user's own
// passkey passes; every refusal counts towards their lock, like a wrong code.

export interface PasskeyFactorDeps extends MfaStepDeps {
  passkeys: PasskeyService;
}

const hidden = () => ({ schema: { hide: true } as const });
type FactorHandler = Handler<ReturnType<typeof hidden>['schema']>;

/** The interaction (the one the path names), its CSRF token checked, waiting for a second factor. */
async function pendingSecondFactor(deps: PasskeyFactorDeps, request: FastifyRequest, reply: FastifyReply) {
  const details = await loadInteraction(deps.provider(), request, reply);
  if ((request.params as { uid?: string }).uid !== details.uid)
    throw new HttpError({
      status: 400,
      code: 'interaction_expired',
      detail: 'This sign-in request has expired or is unknown. Start again from the application.',
    });
  checkCsrf(deps.csrf, request, details.uid);
  const pending = pendingMfa(details);
  // A passkey that was the first factor cannot be the second one too.
  if (pending?.stage !== 'second_factor' || passkeyPassed(pending.amr))
    throw new HttpError({
      status: 400,
      code: 'mfa_step_unexpected',
      detail: 'This sign-in step is not the one in progress. Start again from the application.',
    });
  return { ctx: { request, reply, details } as StepContext, pending };
}

/** One audit record of the step, under the account signing in (never the credential itself). */
async function auditPasskeyFactor(
  deps: PasskeyFactorDeps,
  ctx: StepContext,
  pending: PendingMfa,
  outcome: AssertionResult,
) {
  const failure = outcome.ok ? undefined : outcome.reason;
  const name = outcome.ok ? outcome.user.username : outcome.account?.username;
  await deps.audit.record({
    ...auditContext(ctx.request, String(ctx.details.params.client_id)),
    actorType: 'user',
    actorId: pending.accountId,
    actorName: name ?? null,
    // A suspected clone is its own event for whoever watches the audit log.
    action: !failure
      ? 'login.mfa.success'
      : failure === 'cloned'
        ? 'passkey.counter_regressed'
        : 'login.mfa.failure',
    outcome: failure ? 'failure' : 'success',
    details: {
      factor: 'passkey',
      ...(outcome.passkeyId ? { passkeyId: outcome.passkeyId } : {}),
      ...(failure ? { reason: failure } : {}),
    },
  });
}

/** POST /interaction/:uid/mfa/passkey/options: a new challenge, offering the pending user's passkeys. */
const factorOptions =
  (deps: PasskeyFactorDeps): FactorHandler =>
  async (request, reply) => {
    const { ctx, pending } = await pendingSecondFactor(deps, request, reply);
    const { details } = ctx;
    const options = await deps.passkeys.authenticationOptions(
      details.uid,
      details.exp * 1000,
      pending.accountId,
    );
    return reply.header('cache-control', 'no-store').send(options);
  };

/** POST /interaction/:uid/mfa/passkey: the signed answer; the user's own passkey finishes the sign-in. */
const submitFactor =
  (deps: PasskeyFactorDeps): FactorHandler =>
  async (request, reply) => {
    const { ctx, pending } = await pendingSecondFactor(deps, request, reply);
    const response = parseCredential(formOf(request).credential);
    if (!response)
      throw new HttpError({
        status: 400,
        code: 'invalid_credential',
        detail: 'The passkey answer is missing or not JSON.',
      });
    const outcome = await deps.passkeys.verifyAuthentication(ctx.details.uid, response, {
      ip: request.ip,
      expectedUserId: pending.accountId,
    });
    await auditPasskeyFactor(deps, ctx, pending, outcome);
    if (!outcome.ok) {
      const status = outcome.reason === 'rate_limited' ? 429 : 200;
      return showPending(deps, ctx, pending, { error: FAILURE_MESSAGES[outcome.reason], status });
    }
    const key = outcome.amr.includes('swk') ? 'swk' : 'hwk';
    return finishSignIn(deps, ctx, pending.accountId, withSecondFactor(pending.amr, key));
  };

export function passkeyFactorRoutes(app: App, deps: PasskeyFactorDeps): void {
  app.post('/interaction/:uid/mfa/passkey/options', hidden(), factorOptions(deps));
  app.post('/interaction/:uid/mfa/passkey', hidden(), submitFactor(deps));
}
