import { type App, type Handler, HttpError } from '@platform/http';
import { checkCsrf, formOf, loadInteraction } from '../interactions/interaction-steps.ts';
import {
  auditFactor,
  FACTOR_FAILURES,
  finishSignIn,
  type MfaStepDeps,
  movePending,
  pendingMfa,
  type StepContext,
  showPending,
} from './mfa-steps.ts';
import { withSecondFactor } from './policy.ts';
import { looksLikeRecoveryCode } from './recovery-codes.ts';

// The second-factor forms of the sign-in: a code (TOTP or recovery code), the first code that confirms an
// enrolment, and "continue" after the recovery codes were shown. Each needs the interaction's pending step
// (see mfa-steps.ts): a form posted out of order is refused.

const hidden = () => ({ schema: { hide: true } as const });
type StepHandler = Handler<ReturnType<typeof hidden>['schema']>;

/** The interaction and its pending step; a form for another step than the pending one is a 400. */
async function pendingStep(deps: MfaStepDeps, ...[request, reply]: Parameters<StepHandler>) {
  const details = await loadInteraction(deps.provider(), request, reply);
  checkCsrf(deps.csrf, request, details.uid);
  return { ctx: { request, reply, details } as StepContext, pending: pendingMfa(details) };
}

const outOfOrder = (_ctx: StepContext): never => {
  throw new HttpError({
    status: 400,
    code: 'mfa_step_unexpected',
    detail: 'This sign-in step is not the one in progress. Start again from the application.',
  });
};

/** POST /interaction/:uid/mfa: the second factor, a TOTP code or a recovery code. */
const submitCode =
  (deps: MfaStepDeps): StepHandler =>
  async (request, reply) => {
    const { ctx, pending } = await pendingStep(deps, request, reply);
    if (pending?.stage !== 'second_factor') return outOfOrder(ctx);
    const code = String(formOf(request).code ?? '').slice(0, 64);
    const factor = looksLikeRecoveryCode(code) ? 'recovery_code' : 'totp';
    const outcome = await deps.signIn.verifyFactor({
      userId: pending.accountId,
      ip: request.ip,
      factor,
      verify: async () => (await deps.mfa.verifyCode(pending.accountId, code)).ok,
    });
    const { accountId } = pending;
    if (!outcome.ok) {
      await auditFactor(deps, ctx, outcome, { action: 'login.mfa.failure', factor, accountId });
      const status = outcome.reason === 'rate_limited' ? 429 : 200;
      return showPending(deps, ctx, pending, { error: FACTOR_FAILURES[outcome.reason] ?? '', status });
    }
    await auditFactor(deps, ctx, outcome, { action: 'login.mfa.success', factor, accountId });
    if (factor === 'recovery_code')
      await auditFactor(deps, ctx, outcome, { action: 'mfa.recovery.use', factor, accountId });
    return finishSignIn(deps, ctx, accountId, withSecondFactor(pending.amr, 'otp'));
  };

/** POST /interaction/:uid/mfa/enrol: the first code from the app confirms the new TOTP. */
const confirmEnrolment =
  (deps: MfaStepDeps): StepHandler =>
  async (request, reply) => {
    const { ctx, pending } = await pendingStep(deps, request, reply);
    if (pending?.stage !== 'enrol') return outOfOrder(ctx);
    const code = String(formOf(request).code ?? '').slice(0, 64);
    let codes: string[] | undefined;
    const outcome = await deps.signIn.verifyFactor({
      userId: pending.accountId,
      ip: request.ip,
      factor: 'totp',
      verify: async () => {
        codes = await deps.mfa.confirmTotpEnrolment(pending.accountId, code);
        return codes !== undefined;
      },
    });
    const { accountId } = pending;
    if (!outcome.ok) {
      await auditFactor(deps, ctx, outcome, { action: 'mfa.totp.enrol', factor: 'totp', accountId });
      const status = outcome.reason === 'rate_limited' ? 429 : 200;
      return showPending(deps, ctx, pending, { error: FACTOR_FAILURES[outcome.reason] ?? '', status });
    }
    await auditFactor(deps, ctx, outcome, { action: 'mfa.totp.enrol', factor: 'totp', accountId });
    await auditFactor(deps, ctx, outcome, {
      action: 'mfa.recovery.regenerate',
      factor: 'recovery_code',
      accountId,
    });
    const enrolled = await movePending(
      ctx.details,
      pending,
      'enrolled',
      withSecondFactor(pending.amr, 'otp'),
    );
    return showPending(deps, ctx, enrolled, { codes });
  };

/** POST /interaction/:uid/mfa/continue: after the recovery codes, the sign-in finishes with both factors. */
const continueAfterEnrolment =
  (deps: MfaStepDeps): StepHandler =>
  async (request, reply) => {
    const { ctx, pending } = await pendingStep(deps, request, reply);
    if (pending?.stage !== 'enrolled') return outOfOrder(ctx);
    return finishSignIn(deps, ctx, pending.accountId, pending.amr);
  };

export function mfaInteractionRoutes(app: App, deps: MfaStepDeps): void {
  app.post('/interaction/:uid/mfa', hidden(), submitCode(deps));
  app.post('/interaction/:uid/mfa/enrol', hidden(), confirmEnrolment(deps));
  app.post('/interaction/:uid/mfa/continue', hidden(), continueAfterEnrolment(deps));
}
