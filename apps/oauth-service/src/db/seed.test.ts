import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { secretPurpose } from '../clients/clients.repository.ts';
import { loadOAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { migrations } from './migrations/index.ts';
import type { OAuthSchema } from './schema.ts';
import { seed } from './seed.ts';

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
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seed-secret-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a generated secret to FLOW_CLIENT_SECRET_FILE (0600), and issues a new one if the file is lost', async () => {
    const file = join(dir, 'data', 'flow-client-secret');
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      ADMIN_PASSWORD: 'seed-test-password-1',
      FLOW_CLIENT_SECRET_FILE: file,
    });
    const database = createDatabase<OAuthSchema>(temp().url);
    const printed: string[] = [];
    try {
      await migrateToLatest(database, migrations);
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
    } finally {
      await database.close();
    }
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
    const database = createDatabase<OAuthSchema>(temp().url);
    const printed: string[] = [];
    try {
      await migrateToLatest(database, migrations);
      await seed(database, config, (line) => printed.push(line));
    } finally {
      await database.close();
    }
    expect(printed.join('\n')).not.toContain('flow-service');
    expect(await storedSecret(temp().url, config.ENCRYPTION_KEY)).toBe(given);
  });
});
