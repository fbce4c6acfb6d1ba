import { describeEachDialect } from '@platform/db/testing';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { loadOAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { seed } from '../db/seed.ts';
import { withMigratedDatabase } from '../db/seed-test-support.ts';
import { createMfaModule } from './wiring.ts';

// The seeded admin role requires a second factor in production only, set once per database.

const PRODUCTION = {
  NODE_ENV: 'production',
  ENCRYPTION_KEY: 'production-encryption-key-0123456789abcdefghijklmnop',
  COOKIE_SECRET: 'production-cookie-secret-0123456789abcdefghijklmnop',
  ADMIN_PASSWORD: 'production-root-passphrase-1',
  OAUTH_CLIENT_SECRET: 'production-portal-secret-0123456789abcdef',
  FLOW_CLIENT_SECRET: 'production-flow-secret-0123456789abcdef',
};

const adminRoleMfa = async (db: Kysely<OAuthSchema>) =>
  Number(
    (
      await db
        .withTables<{ roles: { mfa_required: number } }>()
        .selectFrom('roles')
        .select('mfa_required')
        .where('name', '=', 'admin')
        .executeTakeFirstOrThrow()
    ).mfa_required,
  );

describeEachDialect('seed: MFA for the admin role', (temp) => {
  it('leaves it off outside production', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ...PRODUCTION,
      NODE_ENV: 'development',
    });
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, () => {});
      expect(await adminRoleMfa(database.db)).toBe(0);
    });
  });

  it('requires it in production, once: an operator who clears it keeps that choice', async () => {
    const config = loadOAuthServiceConfig({ DATABASE_URL: temp().url, ...PRODUCTION });
    await withMigratedDatabase(temp().url, async (database) => {
      const { db } = database;
      await db.deleteFrom('settings').execute();
      expect(await seed(database, config, () => {})).toContain('MFA required for role admin');
      expect(await adminRoleMfa(db)).toBe(1);
      const admin = await db
        .selectFrom('users')
        .select('id')
        .where('username', '=', 'admin')
        .executeTakeFirstOrThrow();
      const { policy } = createMfaModule(db, config, createSecretBox(config.ENCRYPTION_KEY));
      // The admin has no factor yet: the next sign-in takes them through enrolment.
      expect(await policy.mfaRequirement({ userId: admin.id, clientId: 'admin-portal' })).toBe('enrol');

      await db
        .withTables<{ roles: { mfa_required: number } }>()
        .updateTable('roles')
        .set({ mfa_required: 0 })
        .execute();
      await seed(database, config, () => {});
      expect(await adminRoleMfa(db)).toBe(0);
    });
  });
});
