import { createDatabase, type Database, isUniqueViolation, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/secret-box.ts';
import { migrations } from '../db/migrations/index.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { createIdentitiesRepository } from './identities.repository.ts';
import { federationMigration } from './migration.ts';
import {
  createProvidersRepository,
  type NewUpstreamProvider,
  OIDC_CLAIM_MAPPING,
} from './providers.repository.ts';

// The upstream providers and their links: JSON fields round-trip parsed, the secret is sealed and only
// opened on request, links are unique per subject and per user, and they go with the provider or the user.

const entra: NewUpstreamProvider = {
  id: 'entra',
  displayName: 'Microsoft',
  kind: 'oidc',
  issuer: 'https://login.microsoftonline.com/tenant/v2.0',
  authorizationEndpoint: null,
  tokenEndpoint: null,
  userinfoEndpoint: null,
  clientId: 'client-1',
  clientSecret: 'upstream-secret',
  scopes: ['openid', 'email', 'profile'],
  claimMapping: OIDC_CLAIM_MAPPING,
  groupRoles: { 'g-admins': 'admin' },
  jitEnabled: true,
  defaultRoles: ['user'],
  allowedEmailDomains: ['example.com'],
  linkByVerifiedEmail: false,
  mfaSatisfiedBy: { amr: ['mfa'], acr: [] },
  enabled: true,
};

const github: NewUpstreamProvider = {
  ...entra,
  id: 'github',
  displayName: 'GitHub',
  kind: 'oauth2',
  issuer: null,
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  userinfoEndpoint: 'https://api.github.com/user',
  clientSecret: null,
  claimMapping: { subject: 'id', email: 'email', email_verified: null, name: 'name', groups: null },
  enabled: false,
};

describeEachDialect('federation repositories', (temp) => {
  let database: Database<OAuthSchema>;
  let clock = 1_000;
  const box = createSecretBox('x'.repeat(32));
  const providers = () => createProvidersRepository(database.db, box, { now: () => clock });
  const identities = () => createIdentitiesRepository(database.db, { now: () => clock });

  beforeAll(async () => {
    database = createDatabase<OAuthSchema>(temp().url);
    await migrateToLatest(database, migrations);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    clock = 1_000;
    await database.db.deleteFrom('upstream_providers').execute();
    await database.db.deleteFrom('users').execute();
    for (const id of ['u1', 'u2']) {
      await database.db
        .insertInto('users')
        .values({
          id,
          username: id,
          email: `${id}@example.com`,
          display_name: id,
          status: 'active',
          password_hash: 'x',
          updated_at: 1,
        })
        .execute();
    }
  });

  it('stores a provider with its JSON fields parsed and its secret sealed', async () => {
    const { clientSecret: _secret, ...expected } = entra;
    const created = await providers().create(entra);
    expect(created).toEqual({ ...expected, hasSecret: true, createdAt: 1_000, updatedAt: 1_000 });
    expect(await providers().find('entra')).toEqual(created);

    const row = await database.db.selectFrom('upstream_providers').selectAll().executeTakeFirstOrThrow();
    expect(row.client_secret_sealed).not.toContain('upstream-secret');
    expect(await providers().clientSecret(created)).toBe('upstream-secret');
    expect(await providers().find('nobody')).toBeUndefined();
  });

  it('lists all providers by id and the enabled ones by name', async () => {
    await providers().create(github);
    await providers().create(entra);
    await providers().create({ ...entra, id: 'azure', displayName: 'Azure' });
    expect((await providers().list()).map((p) => p.id)).toEqual(['azure', 'entra', 'github']);
    expect((await providers().listEnabled()).map((p) => p.id)).toEqual(['azure', 'entra']);
    expect(await providers().clientSecret({ id: 'github' })).toBeUndefined();
  });

  it('updates only the given fields, keeps the secret unless given, and removes it on null', async () => {
    await providers().create(entra);
    clock = 2_000;
    const updated = await providers().update('entra', {
      displayName: 'Entra ID',
      enabled: false,
      scopes: ['openid'],
    });
    expect(updated).toMatchObject({
      displayName: 'Entra ID',
      enabled: false,
      scopes: ['openid'],
      hasSecret: true,
    });
    expect(updated).toMatchObject({
      clientId: 'client-1',
      jitEnabled: true,
      createdAt: 1_000,
      updatedAt: 2_000,
    });
    expect(await providers().clientSecret({ id: 'entra' })).toBe('upstream-secret');

    await providers().update('entra', { clientSecret: 'rotated' });
    expect(await providers().clientSecret({ id: 'entra' })).toBe('rotated');
    expect(await providers().update('entra', { clientSecret: null })).toMatchObject({ hasSecret: false });
    expect(await providers().update('nobody', { enabled: true })).toBeUndefined();
  });

  it('refuses a taken id', async () => {
    await providers().create(entra);
    await expect(providers().create(entra)).rejects.toMatchObject({ status: 409, field: 'id' });
  });

  it('links subjects to users once per provider and user, and touches and unlinks them', async () => {
    await providers().create(entra);
    const linked = await identities().link({
      providerId: 'entra',
      subject: 's1',
      userId: 'u1',
      email: 'a@example.com',
    });
    expect(linked).toEqual({
      providerId: 'entra',
      subject: 's1',
      userId: 'u1',
      email: 'a@example.com',
      linkedAt: 1_000,
      lastSignInAt: null,
    });
    const sameSubject = await identities()
      .link({ providerId: 'entra', subject: 's1', userId: 'u2' })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(sameSubject)).toBe(true);
    const sameUser = await identities()
      .link({ providerId: 'entra', subject: 's2', userId: 'u1' })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(sameUser)).toBe(true);

    clock = 3_000;
    expect(await identities().touch('entra', 's1', 'b@example.com')).toBe(true);
    expect(await identities().find('entra', 's1')).toMatchObject({
      email: 'b@example.com',
      lastSignInAt: 3_000,
    });
    expect(await identities().touch('entra', 'nobody')).toBe(false);
    expect(await identities().listForUser('u1')).toHaveLength(1);

    expect(await identities().unlink('u2', 'entra')).toBeUndefined();
    expect(await identities().unlink('u1', 'entra')).toMatchObject({ subject: 's1' });
    expect(await identities().find('entra', 's1')).toBeUndefined();
  });

  it('drops the links with their provider or their user', async () => {
    await providers().create(entra);
    await providers().create(github);
    await identities().link({ providerId: 'entra', subject: 's1', userId: 'u1' });
    await identities().link({ providerId: 'github', subject: '42', userId: 'u1' });
    await identities().link({ providerId: 'github', subject: '43', userId: 'u2' });
    expect(await providers().remove('entra')).toBe(true);
    expect(await providers().remove('entra')).toBe(false);
    expect((await identities().listForUser('u1')).map((i) => i.providerId)).toEqual(['github']);
    await database.db.deleteFrom('users').where('id', '=', 'u1').execute();
    expect(await identities().listForUser('u1')).toEqual([]);
    expect(await identities().find('github', '43')).toBeDefined();
  });
});

describeEachDialect('federation migration', (temp) => {
  it('reverses', async () => {
    const database = createDatabase<OAuthSchema>(temp().url);
    try {
      await migrateToLatest(database, migrations);
      await federationMigration.down?.(database.db as never, database.dialect);
      await federationMigration.up(database.db as never, database.dialect);
    } finally {
      await database.close();
    }
  });
});
