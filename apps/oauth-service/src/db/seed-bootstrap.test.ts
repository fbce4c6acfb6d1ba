import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '@platform/config';
import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { loadOAuthServiceConfig } from '../config.ts';
import { seed } from './seed.ts';
import { suiteTempDir, withMigratedDatabase } from './seed-test-support.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  ENCRYPTION_KEY: 'production-encryption-key-0123456789abcdefghijklmnop',
  COOKIE_SECRET: 'production-cookie-secret-0123456789abcdefghijklmnop',
  ADMIN_PASSWORD: 'production-root-passphrase-1',
  OAUTH_CLIENT_SECRET: 'production-portal-secret-0123456789abcdef',
  ACCOUNT_CLIENT_SECRET: 'production-account-secret-0123456789abcdef',
};

describeEachDialect('seed: the bootstrap administrator is created once', (temp) => {
  it('does not re-create a deleted admin on the next seed', async () => {
    const config = loadOAuthServiceConfig({ DATABASE_URL: temp().url });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, (line) => printed.push(line));
      expect(printed.join('\n')).toMatch(/admin account "admin", first password/);
      await database.db.deleteFrom('users').where('username', '=', 'admin').execute();
      printed.length = 0;
      const summary = await seed(database, config, (line) => printed.push(line));
      expect(summary).not.toMatch(/user admin/);
      expect(printed.join('\n')).not.toMatch(/password/);
      const admin = await database.db
        .selectFrom('users')
        .select('id')
        .where('username', '=', 'admin')
        .executeTakeFirst();
      expect(admin).toBeUndefined();
    });
  });
});

describeEachDialect('seed: a database seeded before the bootstrap marker', (temp) => {
  it('treats a database that already has users as bootstrapped', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
    });
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, () => {});
      await database.db.deleteFrom('settings').execute();
      await database.db.deleteFrom('users').where('username', '=', 'admin').execute();
      await database.db
        .insertInto('users')
        .values({
          id: '00000000-0000-4000-8000-000000000001',
          username: 'someone',
          email: 'someone@example.com',
          display_name: 'Someone',
          status: 'active',
          password_hash: 'x',
          locked_until: null,
          last_login_at: null,
          updated_at: Date.now(),
        })
        .execute();
      expect(await seed(database, config, () => {})).not.toMatch(/user admin/);
    });
  });
});

describeEachDialect('seed in production: no flow-service secret given', (temp) => {
  it('refuses to generate the flow-service secret, naming the variables, and changes nothing', async () => {
    const config = loadOAuthServiceConfig({ ...PRODUCTION, DATABASE_URL: temp().url });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      await expect(seed(database, config, (line) => printed.push(line))).rejects.toThrow(
        /FLOW_CLIENT_SECRET.*NODE_ENV=production/,
      );
      expect(printed).toEqual([]);
      const users = await database.db.selectFrom('users').select('id').execute();
      expect(users).toEqual([]);
    });
  });
});

describeEachDialect('seed in production: no admin password or portal secret given', (temp) => {
  it('refuses to generate the admin password or the portal secret', async () => {
    const config = loadOAuthServiceConfig({
      ...PRODUCTION,
      ADMIN_PASSWORD: '',
      OAUTH_CLIENT_SECRET: '',
      ACCOUNT_CLIENT_SECRET: '',
      FLOW_CLIENT_SECRET: 'production-flow-secret-0123456789abcdef',
      DATABASE_URL: temp().url,
    });
    await withMigratedDatabase(temp().url, async (database) => {
      await expect(seed(database, config, () => {})).rejects.toThrow(
        /ADMIN_PASSWORD.*OAUTH_CLIENT_SECRET.*ACCOUNT_CLIENT_SECRET/,
      );
    });
  });
});

describeEachDialect('seed in production: a secret file for flow-service', (temp) => {
  const dir = suiteTempDir('seed-production-');

  it('hands a generated secret over only through FLOW_CLIENT_SECRET_FILE, printing nothing', async () => {
    const file = join(dir(), 'flow-client-secret');
    const config = loadOAuthServiceConfig({
      ...PRODUCTION,
      FLOW_CLIENT_SECRET_FILE: file,
      DATABASE_URL: temp().url,
    });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, (line) => printed.push(line));
      const written = readFileSync(file, 'utf8').trim();
      expect(written.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(printed.join('\n')).not.toContain(written);
      expect(printed.join('\n')).not.toMatch(/secret|password/);
    });
  });
});

describeEachDialect('seed: an ADMIN_PASSWORD the password policy refuses', (temp) => {
  it('stops before changing anything, naming the variable and the rule in one line', async () => {
    const config = loadOAuthServiceConfig({ DATABASE_URL: temp().url, ADMIN_PASSWORD: 'admin-admin-admin' });
    await withMigratedDatabase(temp().url, async (database) => {
      const refused = await seed(database, config, () => {}).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(StartupError);
      expect((refused as Error).message).toBe(
        'invalid configuration: ADMIN_PASSWORD: must not contain the username (ADMIN_USERNAME "admin")',
      );
      const users = await database.db.selectFrom('users').select('username').execute();
      const clients = await database.db.selectFrom('clients').select('client_id').execute();
      expect({ users, clients }).toEqual({ users: [], clients: [] });
    });
  });

  it('prints that line alone and exits 1 from the seed command', () => {
    const env = { ...process.env, DATABASE_URL: temp().url };
    const cli = (task: string, extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['src/db/cli.ts', task], {
        cwd: join(import.meta.dirname, '../..'),
        env: { ...env, ...extra },
        encoding: 'utf8',
      });
    expect(cli('push').status).toBe(0);
    const seeded = cli('seed', { ADMIN_PASSWORD: 'admin-admin-admin' });
    expect(seeded.status).toBe(1);
    expect(seeded.stderr.trim().split('\n')).toEqual([
      'invalid configuration: ADMIN_PASSWORD: must not contain the username (ADMIN_USERNAME "admin")',
    ]);
  });
});
