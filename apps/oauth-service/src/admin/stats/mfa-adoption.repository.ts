import type { ExpressionBuilder, Kysely } from 'kysely';
import type { OAuthSchema } from '../../db/schema.ts';

// How many active users have a second factor, in total and by factor. A TOTP counts once confirmed;
// recovery codes count while one is left unused. Each count is one COUNT over the users table with an
// EXISTS per factor, which both dialects plan alike.

export interface MfaAdoption {
  activeUsers: number;
  /** Active users with a confirmed TOTP or a passkey: a factor that can be asked second. */
  withSecondFactor: number;
  totp: number;
  passkey: number;
  recoveryCodes: number;
  /** Active users an administrator asked to enrol at their next sign-in. */
  enrolmentRequired: number;
}

type UsersEb = ExpressionBuilder<OAuthSchema, 'users'>;

const hasTotp = (eb: UsersEb) =>
  eb.exists(
    eb
      .selectFrom('mfa_totp')
      .select('mfa_totp.user_id')
      .whereRef('mfa_totp.user_id', '=', 'users.id')
      .where('mfa_totp.confirmed', '=', 1),
  );

const hasPasskey = (eb: UsersEb) =>
  eb.exists(eb.selectFrom('passkeys').select('passkeys.id').whereRef('passkeys.user_id', '=', 'users.id'));

const hasRecoveryCode = (eb: UsersEb) =>
  eb.exists(
    eb
      .selectFrom('mfa_recovery_codes')
      .select('mfa_recovery_codes.user_id')
      .whereRef('mfa_recovery_codes.user_id', '=', 'users.id')
      .where('mfa_recovery_codes.used_at', 'is', null),
  );

export function createMfaAdoptionRepository(db: Kysely<OAuthSchema>) {
  const activeUsers = () => db.selectFrom('users').where('users.status', '=', 'active');
  const count = async (filter?: (eb: UsersEb) => ReturnType<UsersEb['exists']>) => {
    const query = filter ? activeUsers().where(filter) : activeUsers();
    const row = await query
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const enrolmentRequired = async () => {
    const row = await db
      .withTables<{ users: { mfa_enrolment_required: number } }>()
      .selectFrom('users')
      .where('users.status', '=', 'active')
      .where('users.mfa_enrolment_required', '=', 1)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  return {
    async adoption(): Promise<MfaAdoption> {
      const [all, second, totp, passkey, recovery, enrol] = await Promise.all([
        count(),
        count((eb) => eb.or([hasTotp(eb), hasPasskey(eb)])),
        count(hasTotp),
        count(hasPasskey),
        count(hasRecoveryCode),
        enrolmentRequired(),
      ]);
      return {
        activeUsers: all,
        withSecondFactor: second,
        totp,
        passkey,
        recoveryCodes: recovery,
        enrolmentRequired: enrol,
      };
    },
  };
}

export type MfaAdoptionRepository = ReturnType<typeof createMfaAdoptionRepository>;
