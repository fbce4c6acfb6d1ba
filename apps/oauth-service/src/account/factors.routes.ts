import { type App, type Handler, HttpError } from '@platform/http';
import { createPasskeysRepository } from '../passkeys/passkeys.repository.ts';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import {
  beginTotpSchema,
  confirmTotpSchema,
  listFactorsSchema,
  regenerateRecoveryCodesSchema,
  removeTotpSchema,
} from './factors.schemas.ts';
import { isoOrNull } from './schemas.ts';

// The caller's authenticator app (TOTP) and recovery codes. The confirming code goes through the sign-in's
// factor check, so wrong codes count toward the account lockout and the per-address limit like any other
// sign-in attempt. A user whom a role (or an administrator) requires to use a second factor cannot remove
// their last one: they would be sent through enrolment at their next sign-in anyway.

type FactorsContext = { deps: AccountDeps; kit: AccountKit; passkeysOf: (userId: string) => Promise<number> };

const conflict = (code: string, detail: string) => new HttpError({ status: 409, code, detail });

async function mfaRequired({ deps }: FactorsContext, userId: string): Promise<boolean> {
  const [byRole, byAdministrator] = await Promise.all([
    deps.mfa.repository.rolesRequireMfa(userId),
    deps.mfa.repository.enrolmentRequired(userId),
  ]);
  return byRole || byAdministrator;
}

const listFactors =
  (context: FactorsContext): Handler<typeof listFactorsSchema> =>
  async (request) => {
    const { id } = callerOf(request);
    const [factors, required, passkeys] = await Promise.all([
      context.deps.mfa.service.listFactors(id),
      mfaRequired(context, id),
      context.passkeysOf(id),
    ]);
    const { totp, recoveryCodes } = factors;
    return {
      mfaRequired: required,
      totp: totp && {
        confirmed: totp.confirmed,
        createdAt: isoOrNull(totp.createdAt) as string,
        confirmedAt: isoOrNull(totp.confirmedAt),
        lastUsedAt: isoOrNull(totp.lastUsedAt),
      },
      recoveryCodes: { left: recoveryCodes.left, createdAt: isoOrNull(recoveryCodes.createdAt) },
      passkeys,
    };
  };

const beginTotp =
  ({ deps, kit }: FactorsContext): Handler<typeof beginTotpSchema> =>
  async (request) => {
    const caller = callerOf(request);
    const enrolment = await deps.mfa.service.beginTotpEnrolment(caller);
    if (!enrolment)
      throw conflict(
        'totp_exists',
        'An authenticator app is already set up. Remove it before adding another.',
      );
    await kit.record(request, { action: 'mfa.totp.begin' });
    return enrolment;
  };

const FAILED_CONFIRMATION: Record<string, () => HttpError> = {
  rate_limited: () =>
    new HttpError({
      status: 429,
      code: 'rate_limited',
      detail: 'Too many attempts from your network. Wait a minute and try again.',
    }),
  locked: () =>
    new HttpError({
      status: 403,
      code: 'account_locked',
      detail: 'Too many failed attempts: this account is locked for a while. Try again later.',
    }),
};

const wrongCode = () =>
  new HttpError({
    status: 400,
    code: 'code_incorrect',
    detail: 'code: is not the current code of your authenticator app',
    extensions: { errors: [{ in: 'body', path: '/code', message: 'is not the current code of your app' }] },
  });

async function pendingTotp({ deps }: FactorsContext, userId: string): Promise<void> {
  const { totp } = await deps.mfa.service.listFactors(userId);
  if (!totp || totp.confirmed)
    throw conflict('no_totp_enrolment', 'No authenticator app is being set up: begin the enrolment first.');
}

const confirmTotp =
  (context: FactorsContext): Handler<typeof confirmTotpSchema> =>
  async (request) => {
    const { deps, kit } = context;
    const caller = callerOf(request);
    await pendingTotp(context, caller.id);
    let codes: string[] | undefined;
    const outcome = await deps.signIn.verifyFactor({
      userId: caller.id,
      ip: request.ip,
      factor: 'totp',
      verify: async () => {
        codes = await deps.mfa.service.confirmTotpEnrolment(caller.id, request.body.code);
        return codes !== undefined;
      },
    });
    if (!outcome.ok || !codes) {
      const reason = outcome.ok ? 'invalid_credentials' : outcome.reason;
      await kit.record(request, { action: 'mfa.totp.enrol', outcome: 'failure', details: { reason } });
      throw (FAILED_CONFIRMATION[reason] ?? wrongCode)();
    }
    await kit.record(request, { action: 'mfa.totp.enrol' });
    await kit.record(request, { action: 'mfa.recovery.regenerate', details: { count: codes.length } });
    return { codes };
  };

const removeTotp =
  (context: FactorsContext): Handler<typeof removeTotpSchema> =>
  async (request, reply) => {
    const { deps, kit } = context;
    const { id } = callerOf(request);
    const { totp } = await deps.mfa.service.listFactors(id);
    if (!totp)
      throw new HttpError({ status: 404, code: 'not_found', detail: 'No authenticator app is set up.' });
    const otherFactors = await context.passkeysOf(id);
    if (totp.confirmed && otherFactors === 0 && (await mfaRequired(context, id)))
      throw conflict(
        'last_factor',
        'Your account requires a second factor and this is your last one: add a passkey first.',
      );
    await deps.mfa.service.removeTotp(id);
    // Recovery codes stand in for a lost factor; with none left they would be a factor of their own.
    if (otherFactors === 0) await deps.mfa.repository.deleteRecoveryCodes(id);
    await kit.record(request, { action: 'mfa.totp.remove', details: { confirmed: totp.confirmed } });
    return reply.status(204).send();
  };

const regenerateRecoveryCodes =
  (context: FactorsContext): Handler<typeof regenerateRecoveryCodesSchema> =>
  async (request) => {
    const { deps, kit } = context;
    const { id } = callerOf(request);
    const hasFactor = (await deps.mfa.service.hasConfirmedTotp(id)) || (await context.passkeysOf(id)) > 0;
    if (!hasFactor) throw conflict('no_factor', 'Recovery codes back up a second factor: set one up first.');
    const codes = await deps.mfa.service.regenerateRecoveryCodes(id);
    await kit.record(request, { action: 'mfa.recovery.regenerate', details: { count: codes.length } });
    return { codes };
  };

export function factorRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  const passkeys = createPasskeysRepository(deps.db);
  const context: FactorsContext = {
    deps,
    kit,
    passkeysOf: async (userId) => (await passkeys.listByUser(userId)).length,
  };
  const sensitive = { onRequest: kit.sensitive };
  app.get('/factors', { onRequest: kit.guard, schema: listFactorsSchema }, listFactors(context));
  app.post('/totp', { ...sensitive, schema: beginTotpSchema }, beginTotp(context));
  app.post('/totp/confirm', { ...sensitive, schema: confirmTotpSchema }, confirmTotp(context));
  app.delete('/totp', { ...sensitive, schema: removeTotpSchema }, removeTotp(context));
  app.post(
    '/recovery-codes',
    { ...sensitive, schema: regenerateRecoveryCodesSchema },
    regenerateRecoveryCodes(context),
  );
}
