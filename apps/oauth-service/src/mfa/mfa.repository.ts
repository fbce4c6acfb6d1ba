import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';
import type { MfaPolicyColumns } from './tables.ts';

// Every SQL statement of the second-factor module. Single-use rules (a TOTP step, a recovery code) are
// enforced by conditional UPDATEs, so two instances accepting the same code at once cannot both succeed.

type Db = Kysely<OAuthSchema>;

const changed = (result: { numUpdatedRows: bigint } | { numDeletedRows: bigint }) =>
  Number('numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows) > 0;

type PolicyDb = Kysely<OAuthSchema & MfaPolicyColumns>;

function totpQueries(db: Db) {
  return {
    totpOf: (userId: string) =>
      db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst(),

    /** Stores a new unconfirmed secret (replacing an earlier unconfirmed one); false when one is confirmed. */
    async saveUnconfirmedTotp(userId: string, sealedSecret: string, at: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('mfa_totp').where('user_id', '=', userId).where('confirmed', '=', 0).execute();
        const existing = await trx
          .selectFrom('mfa_totp')
          .select('user_id')
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (existing) return false;
        await trx
          .insertInto('mfa_totp')
          .values({ user_id: userId, secret: sealedSecret, confirmed: 0, created_at: at })
          .execute();
        return true;
      });
    },

    /** Confirms the pending secret with the step of its first code; false when there is none pending. */
    async confirmTotp(userId: string, step: number, at: number): Promise<boolean> {
      const result = await db
        .updateTable('mfa_totp')
        .set({ confirmed: 1, confirmed_at: at, last_used_step: step, last_used_at: at })
        .where('user_id', '=', userId)
        .where('confirmed', '=', 0)
        .executeTakeFirst();
      return changed(result);
    },

    /** Records a code of `step` as used; false when that step (or a later one) was used already. */
    async useTotpStep(userId: string, step: number, at: number): Promise<boolean> {
      const result = await db
        .updateTable('mfa_totp')
        .set({ last_used_step: step, last_used_at: at })
        .where('user_id', '=', userId)
        .where('confirmed', '=', 1)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return changed(result);
    },

    async deleteTotp(userId: string): Promise<boolean> {
      return changed(await db.deleteFrom('mfa_totp').where('user_id', '=', userId).executeTakeFirst());
    },
  };
}

function recoveryCodeQueries(db: Db) {
  return {
    async replaceRecoveryCodes(userId: string, hashes: string[], at: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
        await trx
          .insertInto('mfa_recovery_codes')
          .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: at })))
          .execute();
      });
    },

    async deleteRecoveryCodes(userId: string): Promise<void> {
      await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    },

    /** Marks an unused code used; false when no unused code has this hash. */
    async useRecoveryCode(userId: string, codeHash: string, at: number): Promise<boolean> {
      const result = await db
        .updateTable('mfa_recovery_codes')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return changed(result);
    },

    async recoveryCodesLeft(userId: string): Promise<number> {
      const row = await db
        .selectFrom('mfa_recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('left'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.left);
    },

    async recoveryCodesCreatedAt(userId: string): Promise<number | null> {
      const row = await db
        .selectFrom('mfa_recovery_codes')
        .select((eb) => eb.fn.max('created_at').as('created_at'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row?.created_at == null ? null : Number(row.created_at);
    },
  };
}

function policyQueries(db: PolicyDb) {
  return {
    /** Whether any role of the user requires a second factor. */
    async rolesRequireMfa(userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('user_roles')
        .innerJoin('roles', 'roles.id', 'user_roles.role_id')
        .select('roles.id')
        .where('user_roles.user_id', '=', userId)
        .where('roles.mfa_required', '=', 1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async clientRequiresMfa(clientId: string): Promise<boolean> {
      const row = await db
        .selectFrom('clients')
        .select('require_mfa')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return Number(row?.require_mfa ?? 0) === 1;
    },

    async enrolmentRequired(userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('users')
        .select('mfa_enrolment_required')
        .where('id', '=', userId)
        .executeTakeFirst();
      return Number(row?.mfa_enrolment_required ?? 0) === 1;
    },

    async setEnrolmentRequired(userId: string, required: boolean): Promise<void> {
      await db
        .updateTable('users')
        .set({ mfa_enrolment_required: required ? 1 : 0 })
        .where('id', '=', userId)
        .execute();
    },

    async setRoleMfaRequired(roleName: string, required: boolean): Promise<boolean> {
      const result = await db
        .updateTable('roles')
        .set({ mfa_required: required ? 1 : 0 })
        .where('name', '=', roleName)
        .executeTakeFirst();
      return changed(result);
    },

    async setRoleMfaRequiredById(roleId: string, required: boolean): Promise<boolean> {
      const result = await db
        .updateTable('roles')
        .set({ mfa_required: required ? 1 : 0 })
        .where('id', '=', roleId)
        .executeTakeFirst();
      return changed(result);
    },

    /** The ids of the roles that require a second factor. */
    async rolesRequiringMfa(): Promise<Set<string>> {
      const rows = await db.selectFrom('roles').select('id').where('mfa_required', '=', 1).execute();
      return new Set(rows.map((row) => row.id));
    },

    /** The ids of the clients whose every sign-in needs a second factor. */
    async clientsRequiringMfa(): Promise<Set<string>> {
      const rows = await db.selectFrom('clients').select('client_id').where('require_mfa', '=', 1).execute();
      return new Set(rows.map((row) => row.client_id));
    },

    async setClientRequiresMfa(clientId: string, required: boolean): Promise<void> {
      await db
        .updateTable('clients')
        .set({ require_mfa: required ? 1 : 0 })
        .where('client_id', '=', clientId)
        .execute();
    },
  };
}

export function createMfaRepository(db: Db) {
  return {
    ...totpQueries(db),
    ...recoveryCodeQueries(db),
    ...policyQueries(db.withTables<MfaPolicyColumns>()),
  };
}

export type MfaRepository = ReturnType<typeof createMfaRepository>;
