import type { IpRateLimiter } from '../accounts/ip-rate-limiter.ts';
import { checkPasswordPolicy } from '../accounts/passwords.ts';
import type { User, UsersRepository } from '../accounts/users.repository.ts';
import type { AuditEventInput, AuditLog } from '../audit/audit-log.ts';
import { type Mailer, mailErrorCode } from '../mail/mailer.ts';
import {
  type AccountMailInput,
  emailVerificationMail,
  invitationMail,
  passwordResetMail,
} from '../mail/templates.ts';
import type { AccountLinksRepository, LinkHolder } from './account-links.repository.ts';
import type { AccountLinkPurpose } from './tables.ts';

// What the mailed links do: send them (reset on request, verification and invitation), and carry them out
// (new password, confirmed address). The reset request answers alike whether the address has an account or
// not: the mail goes out in the background, so neither the answer nor its timing tells.

/** Where the request came from, for the audit log (the address and user agent the gateway saw). */
export interface RequestContext {
  ip: string;
  userAgent?: string | undefined;
  requestId: string;
}

export interface AccountMailDeps {
  links: AccountLinksRepository;
  users: Pick<UsersRepository, 'findById' | 'findByEmail' | 'setPassword' | 'markEmailVerified'>;
  mailer: Mailer;
  /** PUBLIC_URL: links are built from it, never from the request's Host. */
  publicUrl: string;
  audit: Pick<AuditLog, 'record'>;
  /** Ends the user's sessions and grants (their refresh tokens) after a password reset. */
  revokeAccess(userId: string): Promise<Record<string, number>>;
  limits: { perAddress: IpRateLimiter; perAccount: IpRateLimiter };
  log: { warn(object: object, message: string): void };
}

export const LINK_PATHS: Record<AccountLinkPurpose, string> = {
  reset: '/interaction/account/reset',
  verify: '/interaction/account/verify',
  invite: '/interaction/account/invitation',
};

const TEMPLATES = { reset: passwordResetMail, verify: emailVerificationMail, invite: invitationMail };

export type CompleteResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_link' }
  | { ok: false; reason: 'weak_password'; issues: string[] };

const contextFields = (context: RequestContext) => ({
  ip: context.ip,
  userAgent: context.userAgent ?? null,
  requestId: context.requestId,
});

/** An account holder's own action through a link, as the audit log records it. */
const selfEvent = (user: User, action: string, context: RequestContext): AuditEventInput => ({
  ...contextFields(context),
  actorType: 'user',
  actorId: user.id,
  actorName: user.username,
  action,
  targetType: 'user',
  targetId: user.id,
  outcome: 'success',
});

/** The link's user, while the link was mailed to their current address; undefined otherwise. */
async function holderOf(deps: AccountMailDeps, holder: LinkHolder | undefined): Promise<User | undefined> {
  const user = holder && (await deps.users.findById(holder.userId));
  return user && user.email === holder.email ? user : undefined;
}

/** Issues a link and mails it; audited as mail.send (never with the link). Rejects if the relay refuses. */
async function deliver(
  deps: AccountMailDeps,
  user: User,
  purpose: AccountLinkPurpose,
  context: RequestContext,
) {
  const token = await deps.links.issue({ userId: user.id, email: user.email }, purpose);
  const link = `${deps.publicUrl}${LINK_PATHS[purpose]}?token=${token}`;
  const site = new URL(deps.publicUrl).host;
  const input: AccountMailInput = { to: user.email, username: user.username, site, link };
  const event: AuditEventInput = {
    ...contextFields(context),
    actorType: 'system',
    action: 'mail.send',
    targetType: 'user',
    targetId: user.id,
    outcome: 'success',
    details: { purpose, username: user.username },
  };
  try {
    await deps.mailer.send(TEMPLATES[purpose](input));
  } catch (error) {
    const code = mailErrorCode(error);
    deps.log.warn({ purpose, user_id: user.id, code }, 'account mail not sent');
    await deps.audit.record({ ...event, outcome: 'failure', details: { ...event.details, error: code } });
    throw error;
  }
  await deps.audit.record(event);
}

/**
 * "Forgot password?": true when the request was taken (whatever the address), false when this client
 * address asked too often. An account asking too often is silently skipped: the answer must not differ.
 */
async function requestPasswordReset(deps: AccountMailDeps, email: string, context: RequestContext) {
  if (!deps.limits.perAddress.take(context.ip)) return false;
  const user =
    typeof email === 'string' && email.length <= 254 ? await deps.users.findByEmail(email) : undefined;
  const wanted = user?.status === 'active' && deps.limits.perAccount.take(`account:${user.id}`);
  if (user && wanted) deliver(deps, user, 'reset', context).catch(() => {});
  return true;
}

/** A new password through a reset or invitation link: the policy first, then the link is used up. */
async function setPasswordByLink(
  deps: AccountMailDeps,
  { token, purpose, password }: { token: string; purpose: 'reset' | 'invite'; password: string },
): Promise<CompleteResult> {
  const user = await holderOf(deps, await deps.links.find(token, purpose));
  if (user?.status !== 'active') return { ok: false, reason: 'invalid_link' };
  const issues = checkPasswordPolicy(password, { username: user.username, email: user.email });
  if (issues.length > 0) return { ok: false, reason: 'weak_password', issues };
  // Consumed only now, atomically: a weak password keeps the link, a second (or racing) use fails here.
  if ((await holderOf(deps, await deps.links.consume(token, purpose)))?.id !== user.id)
    return { ok: false, reason: 'invalid_link' };
  await deps.users.setPassword(user.id, password, { mustChangePassword: false });
  // Whoever could read the mail owns the address.
  await deps.users.markEmailVerified(user.id);
  return { ok: true, user };
}

/** A reset ends every session and grant: whoever knew the old password is out. */
async function resetPassword(
  deps: AccountMailDeps,
  token: string,
  password: string,
  context: RequestContext,
) {
  const result = await setPasswordByLink(deps, { token, purpose: 'reset', password });
  if (!result.ok) return result;
  const revoked = await deps.revokeAccess(result.user.id);
  await deps.audit.record({
    ...selfEvent(result.user, 'user.password_reset', context),
    details: { self_service: true, revoked },
  });
  return result;
}

async function acceptInvitation(
  deps: AccountMailDeps,
  token: string,
  password: string,
  context: RequestContext,
) {
  const result = await setPasswordByLink(deps, { token, purpose: 'invite', password });
  if (result.ok) await deps.audit.record(selfEvent(result.user, 'user.invitation_accept', context));
  return result;
}

async function confirmEmail(deps: AccountMailDeps, token: string, context: RequestContext): Promise<boolean> {
  const user = await holderOf(deps, await deps.links.consume(token, 'verify'));
  if (!user) return false;
  await deps.users.markEmailVerified(user.id);
  await deps.audit.record({
    ...selfEvent(user, 'user.email_verify', context),
    details: { email: user.email },
  });
  return true;
}

export function createAccountMail(deps: AccountMailDeps) {
  return {
    requestPasswordReset: (email: string, context: RequestContext) =>
      requestPasswordReset(deps, email, context),
    sendVerification: (user: User, context: RequestContext) => deliver(deps, user, 'verify', context),
    sendInvitation: (user: User, context: RequestContext) => deliver(deps, user, 'invite', context),
    /** Whether the link still works (the page shows its form only then); it stays unused. */
    linkIsUsable: async (token: string, purpose: AccountLinkPurpose) =>
      (await holderOf(deps, await deps.links.find(token, purpose))) !== undefined,
    resetPassword: (token: string, password: string, context: RequestContext) =>
      resetPassword(deps, token, password, context),
    acceptInvitation: (token: string, password: string, context: RequestContext) =>
      acceptInvitation(deps, token, password, context),
    confirmEmail: (token: string, context: RequestContext) => confirmEmail(deps, token, context),
  };
}

export type AccountMail = ReturnType<typeof createAccountMail>;
