import { describeEachDialect } from '@platform/db/testing';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { loadOAuthServiceConfig } from '../config.ts';
import type { OAuthSchema } from './schema.ts';
import { seed } from './seed.ts';
import { withMigratedDatabase } from './seed-test-support.ts';
import { FIRST_PARTY_MARKED } from './settings.ts';

const firstParty = async (db: Kysely<OAuthSchema>, clientId: string) =>
  (
    await db
      .selectFrom('clients')
      .select('first_party')
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow()
  ).first_party;

// The seeded console is first-party; a database seeded before the flag existed gets it on its next seed,
// once: an administrator who later clears it keeps that choice.
describeEachDialect('seed: the first-party console', (temp) => {
  it('marks the console first-party, in new databases and once in existing ones', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
      OAUTH_CLIENT_SECRET: 'seed-test-portal-secret-0123456789abcdef',
      FLOW_CLIENT_SECRET: 'seed-test-flow-secret-0123456789abcdef',
    });
    await withMigratedDatabase(temp().url, async (database) => {
      const { db } = database;
      await seed(database, config, () => {});
      expect(await firstParty(db, 'admin-portal')).toBe(1);
      expect(await firstParty(db, 'platform-cli')).toBe(0);
      expect(await firstParty(db, 'flow-service')).toBe(0);

      // As a database seeded before the flag: the column at its default, no marker.
      await db.updateTable('clients').set({ first_party: 0 }).execute();
      await db.deleteFrom('settings').where('name', '=', FIRST_PARTY_MARKED).execute();
      expect(await seed(database, config, () => {})).toContain('first-party flag on client admin-portal');
      expect(await firstParty(db, 'admin-portal')).toBe(1);

      // The administrator's choice stands.
      await db.updateTable('clients').set({ first_party: 0 }).execute();
      expect(await seed(database, config, () => {})).toBe('seed data already present');
      expect(await firstParty(db, 'admin-portal')).toBe(0);
    });
  });
});
