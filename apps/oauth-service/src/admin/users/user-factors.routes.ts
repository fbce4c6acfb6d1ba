import type { App, Handler } from '@platform/http';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, isoOrNull } from '../schemas.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import {
  cancelEnrolmentSchema,
  getUserFactorsSchema,
  requireEnrolmentSchema,
  resetUserFactorsSchema,
} from './user-factors.schemas.ts';

// A user's second factors for administrators: the list (no secrets), the reset of a lost factor, and the
// requirement to enrol one at the next sign-in. Every change is audited against the user. A reset factor
// may be in someone else's hands, and any of the user's sessions or refresh tokens may come from it: the
// reset ends them all (back-channel logout tells the consoles), the acting administrator's own included
// when they reset themselves (ADR 0040).

type Deps = Pick<AdminDeps, 'users' | 'factors'>;

async function factorsView({ users, factors }: Deps, userId: string) {
  const user = await users.get(userId);
  const [summary, passkeys, enrolmentRequired, requiredByRole] = await Promise.all([
    factors.mfa.listFactors(user.id),
    factors.passkeys.list(user.id),
    factors.policy.enrolmentRequired(user.id),
    factors.policy.rolesRequireMfa(user.id),
  ]);
  const { totp, recoveryCodes } = summary;
  return {
    user_id: user.id,
    username: user.username,
    totp: totp && {
      confirmed: totp.confirmed,
      created_at: iso(totp.createdAt),
      confirmed_at: isoOrNull(totp.confirmedAt),
      last_used_at: isoOrNull(totp.lastUsedAt),
    },
    recovery_codes: { left: recoveryCodes.left, created_at: isoOrNull(recoveryCodes.createdAt) },
    passkeys: passkeys.map((passkey) => ({
      id: passkey.id,
      name: passkey.name,
      created_at: iso(passkey.createdAt),
      last_used_at: isoOrNull(passkey.lastUsedAt),
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
    })),
    enrolment_required: enrolmentRequired,
    required_by_role: requiredByRole,
  };
}

const getUserFactors =
  (deps: Deps): Handler<typeof getUserFactorsSchema> =>
  async (request) =>
    factorsView(deps, request.params.id);

const resetUserFactors =
  (
    deps: Deps,
    { grants, record }: AdminKit,
    sessions: UserSessions,
  ): Handler<typeof resetUserFactorsSchema> =>
  async (request, reply) => {
    const user = await deps.users.get(request.params.id);
    const before = await deps.factors.mfa.listFactors(user.id);
    await deps.factors.mfa.resetFactors(user.id);
    const passkeys = await deps.factors.passkeys.removeAllOf(user.id);
    const revoked = {
      grants: await grants.allOfUser(user.id),
      sessions: await sessions.revokeSessions(user.id),
    };
    await record(request, {
      action: 'mfa.reset',
      targetType: 'user',
      targetId: user.id,
      details: {
        username: user.username,
        removed: { totp: before.totp !== null, recovery_code_count: before.recoveryCodes.left, passkeys },
        revoked,
      },
    });
    return reply.status(204).send();
  };

const setEnrolmentRequired =
  (required: boolean, deps: Deps, { record }: AdminKit): Handler<typeof requireEnrolmentSchema> =>
  async (request) => {
    const user = await deps.users.get(request.params.id);
    await deps.factors.policy.setEnrolmentRequired(user.id, required);
    await record(request, {
      action: 'mfa.enrolment_required',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, required },
    });
    return factorsView(deps, user.id);
  };

export function userFactorRoutes(app: App, deps: Deps, kit: AdminKit, sessions: UserSessions): void {
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  const url = '/users/:id/factors';
  const enrolment = `${url}/require-enrolment`;
  app.get(url, { onRequest: read, schema: getUserFactorsSchema }, getUserFactors(deps));
  app.delete(
    url,
    { onRequest: write, schema: resetUserFactorsSchema },
    resetUserFactors(deps, kit, sessions),
  );
  app.post(
    enrolment,
    { onRequest: write, schema: requireEnrolmentSchema },
    setEnrolmentRequired(true, deps, kit),
  );
  app.delete(
    enrolment,
    { onRequest: write, schema: cancelEnrolmentSchema },
    setEnrolmentRequired(false, deps, kit),
  );
}
