import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, type Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { secretPurpose } from '../clients/clients.repository.ts';
import { loadOAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from './schema.ts';
import { seed } from './seed.ts';
import { suiteTempDir, withMigratedDatabase } from './seed-test-support.ts';

async function storedSecret(url: string, key: string): Promise<string> {
  const database = createDatabase<OAuthSchema>(url);
  try {
    const row = await database.db
      .selectFrom('clients')
      .select('client_secret')
      .where('client_id', '=', 'flow-service')
      .executeTakeFirstOrThrow();
    return createSecretBox(key).open(row.client_secret as string, secretPurpose('flow-service'));
  } finally {
    await database.close();
  }
}

// How flow-service gets its machine client's secret: given (FLOW_CLIENT_SECRET) or handed over in a file.
describeEachDialect('seed: the flow-service client secret', (temp) => {
  const dir = suiteTempDir('seed-secret-');

  it('writes a generated secret to FLOW_CLIENT_SECRET_FILE (0600), and issues a new one if the file is lost', async () => {
    const file = join(dir(), 'data', 'flow-client-secret');
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
      FLOW_CLIENT_SECRET_FILE: file,
    });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, (line) => printed.push(line));
      const written = readFileSync(file, 'utf8').trim();
      expect(written.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(printed.join('\n')).toContain(`client "flow-service" secret (shown once): ${written}`);
      await seed(database, config, (line) => printed.push(line));
      expect(readFileSync(file, 'utf8').trim()).toBe(written);
      rmSync(file);
      const summary = await seed(database, config, () => {});
      expect(summary).toMatch(/new secret for client flow-service/);
      const renewed = readFileSync(file, 'utf8').trim();
      expect(renewed).not.toBe(written);
    });
    expect(await storedSecret(temp().url, config.ENCRYPTION_KEY)).toBe(readFileSync(file, 'utf8').trim());
  });
});

describeEachDialect('seed: a given flow-service secret', (temp) => {
  it('stores FLOW_CLIENT_SECRET as the client secret and does not print it', async () => {
    const given = 'operator-chosen-flow-secret-0123456789abcdef';
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
      FLOW_CLIENT_SECRET: given,
    });
    const printed: string[] = [];
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, (line) => printed.push(line));
    });
    expect(printed.join('\n')).not.toContain('flow-service');
    expect(await storedSecret(temp().url, config.ENCRYPTION_KEY)).toBe(given);
  });
});

// The console's Workflows page: the admin role carries every flow permission, and the admin-portal client may
// ask for the flow scopes (it names the flow resource at sign-in), also when re-seeding an existing database.
describeEachDialect('seed: the console workflow permissions', (temp) => {
  const FLOW = ['flow:approve', 'flow:read', 'flow:run', 'flow:write'];

  async function adminRoleFlowPermissions(database: Database<OAuthSchema>) {
    const rows = await database.db
      .selectFrom('role_permissions as rp')
      .innerJoin('roles as r', 'r.id', 'rp.role_id')
      .innerJoin('permissions as p', 'p.id', 'rp.permission_id')
      .select('p.name')
      .where('r.name', '=', 'admin')
      .where('p.name', 'like', 'flow:%')
      .execute();
    return rows.map((row) => row.name).sort();
  }

  it('gives the admin role flow:read/write/run/approve, restores a missing one on re-seed, never twice', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
    });
    await withMigratedDatabase(temp().url, async (database) => {
      await seed(database, config, () => {});
      expect(await adminRoleFlowPermissions(database)).toEqual(FLOW);
      const portal = await database.db
        .selectFrom('clients')
        .select('scope')
        .where('client_id', '=', 'admin-portal')
        .executeTakeFirstOrThrow();
      for (const scope of FLOW) expect(portal.scope.split(' ')).toContain(scope);

      // An existing database whose admin role lacks flow:approve (seeded before it existed) gets it back.
      const approve = await database.db
        .selectFrom('permissions')
        .select('id')
        .where('name', '=', 'flow:approve')
        .executeTakeFirstOrThrow();
      await database.db.deleteFrom('role_permissions').where('permission_id', '=', approve.id).execute();
      expect(await adminRoleFlowPermissions(database)).toEqual(FLOW.filter((p) => p !== 'flow:approve'));
      await seed(database, config, () => {});
      await seed(database, config, () => {});
      expect(await adminRoleFlowPermissions(database)).toEqual(FLOW);
    });
  });
});
