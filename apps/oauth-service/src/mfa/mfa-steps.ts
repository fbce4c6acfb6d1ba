import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { SignIn, SignInResult } from '../accounts/sign-in.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Csrf } from '../interactions/csrf.ts';
import {
  auditContext,
  clientName,
  type Details,
  finishInteraction,
  html,
  redirectOrigin,
} from '../interactions/interaction-steps.ts';
import { LOGIN_PAGE_SOURCES } from '../pages/interaction-pages.ts';
import type { MfaService } from './mfa.service.ts';
import { enrolPage, recoveryCodesPage, secondFactorPage } from './mfa-pages.ts';
import { acrFor, type MfaPolicy } from './policy.ts';

// The sign-in after its first factor: finish, ask a second factor, or enrol one first. Between the steps the
// interaction itself (server-side, bound to the browser's interaction cookie) remembers who passed the first
// factor and with which methods, so no form field can claim a password step that did not happen.

export interface MfaStepDeps {
  provider: () => Provider;
  csrf: Csrf;
  signIn: SignIn;
  audit: Pick<AuditLog, 'record'>;
  mfa: MfaService;
  mfaPolicy: MfaPolicy;
  users: { get(id: string): Promise<{ id: string; username: string } | undefined> };
  /** Whether the user has a passkey, which the second-factor page then offers. */
  hasPasskey?: (userId: string) => Promise<boolean>;
}

export interface StepContext {
  request: FastifyRequest;
  reply: FastifyReply;
  details: Details;
}

/** `second_factor`: a code is asked. `enrol`: a TOTP is being set up. `enrolled`: set up, codes shown. */
export type PendingStage = 'second_factor' | 'enrol' | 'enrolled';

export interface PendingMfa {
  accountId: string;
  /** The methods of the factors passed so far. */
  amr: string[];
  stage: PendingStage;
}

const PENDING_KEY = 'mfa_pending';

export function pendingMfa(details: Details): PendingMfa | undefined {
  const pending = (details.result as Record<string, unknown> | undefined)?.[PENDING_KEY];
  return pending && typeof pending === 'object' ? (pending as PendingMfa) : undefined;
}

async function savePending(details: Details, pending: PendingMfa): Promise<void> {
  details.result = { ...(details.result ?? {}), [PENDING_KEY]: pending };
  await details.persist();
}

/**
 * Hands the sign-in to the provider with its methods and the acr they reach (both land in the ID token).
 * The one `login.success` of a sign-in is recorded here, once every factor it needed has passed, so a
 * password whose second factor then fails is never counted as a sign-in.
 */
export async function finishSignIn(deps: MfaStepDeps, ctx: StepContext, accountId: string, amr: string[]) {
  const user = await deps.users.get(accountId);
  await deps.audit.record({
    ...auditContext(ctx.request, String(ctx.details.params.client_id)),
    actorType: 'user',
    actorId: accountId,
    actorName: user?.username ?? null,
    action: 'login.success',
    outcome: 'success',
    details: { amr },
  });
  return finishInteraction(deps.provider(), ctx.request, ctx.reply, {
    login: { accountId, amr, acr: acrFor(amr) },
  });
}

export const FACTOR_FAILURES: Record<string, string> = {
  invalid_credentials: 'That code is not valid. Check the app and try again.',
  locked: 'Too many failed attempts. This account is locked for a while; try again later.',
  disabled: 'This account is disabled. Contact your administrator.',
  rate_limited: 'Too many sign-in attempts from your network. Wait a minute and try again.',
};

/** A passkey was the first factor: the same kind of factor cannot be the second one too. */
export const passkeyPassed = (amr: readonly string[]) => amr.includes('hwk') || amr.includes('swk');

/** Whether the user can give a factor after `amr`: a TOTP, or a passkey unless one came first. */
async function canFollowWithFactor(deps: MfaStepDeps, userId: string, amr: readonly string[]) {
  return passkeyPassed(amr) ? deps.mfa.hasConfirmedTotp(userId) : deps.mfaPolicy.hasSecondFactor(userId);
}

/** What the second-factor page offers: the user's passkey, the code form (TOTP or recovery code), or both. */
async function secondFactorsOf(deps: MfaStepDeps, pending: PendingMfa) {
  const passkey = !passkeyPassed(pending.amr) && ((await deps.hasPasskey?.(pending.accountId)) ?? false);
  if (!passkey) return { passkey, code: true };
  const { totp, recoveryCodes } = await deps.mfa.listFactors(pending.accountId);
  return { passkey, code: Boolean(totp?.confirmed) || recoveryCodes.left > 0 };
}

/** The page of the pending step; `codes` only right after enrolment. */
export async function showPending(
  deps: MfaStepDeps,
  ctx: StepContext,
  pending: PendingMfa,
  extra: { error?: string; status?: number; codes?: string[] } = {},
) {
  const { request, reply, details } = ctx;
  const csrf = deps.csrf.issue(request, reply, details.uid);
  const name = await clientName(deps.provider(), details);
  const status = extra.status ?? 200;
  if (pending.stage === 'second_factor') {
    const factors = await secondFactorsOf(deps, pending);
    const body = secondFactorPage({
      uid: details.uid,
      csrf,
      clientName: name,
      error: extra.error,
      ...factors,
    });
    const sources = factors.passkey ? LOGIN_PAGE_SOURCES : undefined;
    return html(reply, body, redirectOrigin(details), status, sources);
  }
  if (pending.stage === 'enrolled') {
    return html(
      reply,
      recoveryCodesPage({ uid: details.uid, csrf, codes: extra.codes }),
      redirectOrigin(details),
    );
  }
  const user = await deps.users.get(pending.accountId);
  const enrolment = user && (await deps.mfa.beginTotpEnrolment(user));
  // A TOTP confirmed meanwhile (another tab): ask it instead of setting one up.
  if (!enrolment) return showPending(deps, ctx, await movePending(details, pending, 'second_factor'), extra);
  const body = enrolPage({ uid: details.uid, csrf, clientName: name, error: extra.error, ...enrolment });
  return html(reply, body, redirectOrigin(details), status);
}

export async function movePending(
  details: Details,
  pending: PendingMfa,
  stage: PendingStage,
  amr = pending.amr,
) {
  const next = { ...pending, stage, amr };
  await savePending(details, next);
  return next;
}

/**
 * After a first factor (`amr`, e.g. `['pwd']`): finishes when the policy asks nothing more, otherwise asks the
 * user's second factor, or takes them through enrolment. The password step ran with `complete: false`, so
 * only a finished sign-in clears the failure count.
 */
export async function afterFirstFactor(
  deps: MfaStepDeps,
  ctx: StepContext,
  accountId: string,
  amr: string[],
) {
  const required = await deps.mfaPolicy.requiresMfa({
    userId: accountId,
    clientId: String(ctx.details.params.client_id),
    requestedAcr: ctx.details.params.acr_values as string | undefined,
  });
  if (!required) {
    await deps.signIn.complete(accountId);
    return finishSignIn(deps, ctx, accountId, amr);
  }
  const stage = (await canFollowWithFactor(deps, accountId, amr)) ? 'second_factor' : 'enrol';
  const pending: PendingMfa = { accountId, amr, stage };
  await savePending(ctx.details, pending);
  return showPending(deps, ctx, pending);
}

/**
 * Step-up: the browser's session signed in with fewer factors than this request needs (see prompt-policy.ts).
 * The session's account is asked its second factor (or enrols one); no password again.
 */
export async function startStepUp(
  deps: MfaStepDeps,
  ctx: StepContext,
  session: { accountId: string; amr?: string[] },
) {
  const amr = session.amr?.length ? session.amr : ['pwd'];
  const hasFactor = await canFollowWithFactor(deps, session.accountId, amr);
  const pending: PendingMfa = {
    accountId: session.accountId,
    amr,
    stage: hasFactor ? 'second_factor' : 'enrol',
  };
  await savePending(ctx.details, pending);
  return showPending(deps, ctx, pending);
}

/** One audit record of the second-factor step. */
export async function auditFactor(
  deps: MfaStepDeps,
  ctx: StepContext,
  outcome: SignInResult,
  { action, factor, accountId }: { action: string; factor: string; accountId: string },
) {
  const user = outcome.ok ? outcome.user : outcome.account;
  await deps.audit.record({
    ...auditContext(ctx.request, String(ctx.details.params.client_id)),
    actorType: 'user',
    actorId: user?.id ?? accountId,
    actorName: user?.username ?? null,
    action,
    outcome: outcome.ok ? 'success' : 'failure',
    details: outcome.ok ? { factor } : { factor, reason: outcome.reason },
  });
}
