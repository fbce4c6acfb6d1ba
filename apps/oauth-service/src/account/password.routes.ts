import { type App, type Handler, HttpError } from '@platform/http';
import type { FastifyRequest } from 'fastify';
import type { SignInResult } from '../accounts/sign-in.ts';
import { type AccountCaller, callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import { changePasswordSchema } from './password.schemas.ts';
import { endSessionsExcept, sessionOfSid } from './session-lookup.ts';

// A password change proves the current password through the sign-in check itself, so a wrong one counts
// toward the account's lockout and the per-address limit exactly as on the sign-in page. The new password
// then ends every other sign-in session: whoever may have learnt the old one is signed out.

type Failure = Extract<SignInResult, { ok: false }>;

const fieldProblem = (code: string, path: string, message: string) =>
  new HttpError({
    status: 400,
    code,
    detail: `${path}: ${message}`,
    extensions: { errors: [{ in: 'body', path: `/${path}`, message }] },
  });

function refusal(outcome: Failure): HttpError {
  if (outcome.reason === 'rate_limited')
    return new HttpError({
      status: 429,
      code: 'rate_limited',
      detail: 'Too many attempts from your network. Wait a minute and try again.',
    });
  if (outcome.reason === 'locked')
    return new HttpError({
      status: 403,
      code: 'account_locked',
      detail: 'Too many failed attempts: this account is locked for a while. Try again later.',
    });
  return fieldProblem('current_password_incorrect', 'currentPassword', 'is not your current password');
}

async function verifyCurrent(
  { signIn }: AccountDeps,
  { record }: AccountKit,
  request: FastifyRequest,
  caller: AccountCaller,
  password: string,
): Promise<void> {
  const outcome = await signIn.attempt({ login: caller.username, password, ip: request.ip });
  if (outcome.ok) return;
  await record(request, {
    action: outcome.reason === 'locked' ? 'login.locked' : 'user.password_change',
    outcome: 'failure',
    details: { reason: outcome.reason, step: 'current_password' },
  });
  throw refusal(outcome);
}

const changePassword =
  (deps: AccountDeps, kit: AccountKit): Handler<typeof changePasswordSchema> =>
  async (request, reply) => {
    const caller = callerOf(request);
    const { currentPassword, newPassword } = request.body;
    await verifyCurrent(deps, kit, request, caller, currentPassword);
    if (newPassword === currentPassword) {
      throw fieldProblem('validation_failed', 'newPassword', 'must differ from the current password');
    }
    await deps.users.setPassword(caller.id, newPassword, { mustChangePassword: false });
    const keep = request.query.keepSession ?? caller.sid;
    const kept = keep ? await sessionOfSid(kit.payloads, caller.id, keep) : undefined;
    const ended = await endSessionsExcept(kit.sessions, caller.id, kept);
    await kit.record(request, { action: 'user.password_change', details: { sessions_ended: ended } });
    return reply.status(204).send();
  };

export function passwordRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  app.post('/password', { onRequest: kit.guard, schema: changePasswordSchema }, changePassword(deps, kit));
}
