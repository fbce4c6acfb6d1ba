import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { secretPurpose } from '../clients/clients.repository.ts';
import { loadOAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { seed } from './seed.ts';
import { withMigratedDatabase } from './seed-test-support.ts';

const ACCOUNT_SECRET = 'seed-test-account-secret-0123456789abcdef';

// The account console's client and resource server: seeded in a new database, added to an existing one
// on its next seed, with the secret the operator gives (ACCOUNT_CLIENT_SECRET) or one printed once.
describeEachDialect('seed: the account console', (temp) => {
  it('seeds the account-console client and the account resource, and adds them to an older database', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
      ACCOUNT_CLIENT_SECRET: ACCOUNT_SECRET,
      PUBLIC_URL: 'https://auth.example.com',
    });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      const { db } = database;
      await seed(database, config, (line) => printed.push(line));
      const client = await db
        .selectFrom('clients')
        .selectAll()
        .where('client_id', '=', 'account-console')
        .executeTakeFirstOrThrow();
      expect(client).toMatchObject({
        name: 'Account',
        first_party: 1,
        token_endpoint_auth_method: 'client_secret_basic',
      });
      expect(JSON.parse(client.redirect_uris)).toEqual(['https://auth.example.com/account/auth/callback']);
      expect(client.scope.split(' ').sort()).toEqual([
        'account',
        'email',
        'offline_access',
        'openid',
        'profile',
      ]);
      const box = createSecretBox(config.ENCRYPTION_KEY);
      expect(box.open(client.client_secret as string, secretPurpose('account-console'))).toBe(ACCOUNT_SECRET);
      expect(printed.join('\n')).not.toContain(ACCOUNT_SECRET);
      const server = await db
        .selectFrom('resource_servers')
        .select('identifier')
        .where('name', '=', 'account')
        .executeTakeFirstOrThrow();
      expect(server.identifier).toBe('https://auth.example.com/api/account');
      // No role carries `account`: every active user may be granted it (account/account-scope.ts).
      const permission = await db
        .selectFrom('permissions')
        .select('id')
        .where('name', '=', 'account')
        .execute();
      expect(permission).toEqual([]);

      // A database seeded before the account console existed gets it on its next seed.
      await db.deleteFrom('clients').where('client_id', '=', 'account-console').execute();
      expect(await seed(database, config, () => {})).toContain('client account-console');
    });
  });

  it('prints a generated secret once when none is given (development)', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
    });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      // The suite's database already holds the client (the test before): as a database without it.
      await database.db.deleteFrom('clients').where('client_id', '=', 'account-console').execute();
      await seed(database, config, (line) => printed.push(line));
      expect(printed.join('\n')).toMatch(/client "account-console" secret \(shown once\): \S{32,}/);
    });
  });
});
