import { describeEachDialect } from '@platform/db/testing';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { loadOAuthServiceConfig } from '../config.ts';
import { createTokenExchangePolicies } from '../token-exchange/policies.repository.ts';
import type { OAuthSchema } from './schema.ts';
import { seed } from './seed.ts';
import { withMigratedDatabase } from './seed-test-support.ts';

const grantTypes = async (db: Kysely<OAuthSchema>) =>
  JSON.parse(
    (
      await db
        .selectFrom('clients')
        .select('grant_types')
        .where('client_id', '=', 'flow-service')
        .executeTakeFirstOrThrow()
    ).grant_types,
  );

// flow-service exchanges the token of the user who started a run (ADR 0036): the seed gives its client the
// grant type and a delegation policy, once per database, so an administrator's later change stands.
describeEachDialect('seed: flow-service may exchange its users’ tokens', (temp) => {
  it('gives the flow-service client the grant and a delegation policy for test and kline, once', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      PUBLIC_URL: 'http://localhost:8080',
      ADMIN_PASSWORD: 'seed-test-password-1',
      OAUTH_CLIENT_SECRET: 'seed-test-portal-secret-0123456789abcdef',
      FLOW_CLIENT_SECRET: 'seed-test-flow-secret-0123456789abcdef',
    });
    await withMigratedDatabase(temp().url, async (database) => {
      const { db } = database;
      const policies = createTokenExchangePolicies(db);
      expect(await seed(database, config, () => {})).toContain(
        'token exchange policy of client flow-service',
      );
      expect(await grantTypes(db)).toEqual([
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'refresh_token',
      ]);
      expect(await policies.get('flow-service')).toEqual({
        audiences: ['http://localhost:8080/test', 'http://localhost:8080/kline'],
        scopes: ['test:read', 'test:write', 'kline:read', 'kline:write', 'offline_access'],
        delegation: true,
        impersonation: false,
      });
      expect(await policies.get('admin-portal')).toBeNull();

      // An administrator removes the policy: the next seed leaves it removed.
      await policies.set('flow-service', null);
      expect(await seed(database, config, () => {})).not.toContain('token exchange');
      expect(await policies.get('flow-service')).toBeNull();
    });
  });

  it('gives a policy seeded before refresh tokens by exchange offline_access and the grant type, once', async () => {
    const config = loadOAuthServiceConfig({
      DATABASE_URL: temp().url,
      PUBLIC_URL: 'http://localhost:8080',
      ADMIN_PASSWORD: 'seed-test-password-1',
      OAUTH_CLIENT_SECRET: 'seed-test-portal-secret-0123456789abcdef',
      FLOW_CLIENT_SECRET: 'seed-test-flow-secret-0123456789abcdef',
    });
    await withMigratedDatabase(temp().url, async (database) => {
      const { db } = database;
      const policies = createTokenExchangePolicies(db);
      await seed(database, config, () => {});
      // The state an earlier seed left: no offline_access, no refresh_token grant type, no marker.
      const seeded = {
        audiences: ['http://localhost:8080/test', 'http://localhost:8080/kline'],
        scopes: ['test:read', 'test:write', 'kline:read', 'kline:write'],
        delegation: true,
        impersonation: false,
      };
      await policies.set('flow-service', seeded);
      const earlier = (await grantTypes(db)).filter((g: string) => g !== 'refresh_token');
      await db
        .updateTable('clients')
        .set({ grant_types: JSON.stringify(earlier) })
        .where('client_id', '=', 'flow-service')
        .execute();
      await db
        .deleteFrom('settings')
        .where('name', '=', 'token_exchange_refresh_seeded:flow-service')
        .execute();

      expect(await seed(database, config, () => {})).toContain(
        'refresh tokens by exchange for client flow-service',
      );
      expect((await policies.get('flow-service'))?.scopes).toContain('offline_access');
      expect(await grantTypes(db)).toContain('refresh_token');
      // An administrator takes offline_access away again: the next seed leaves it so.
      await policies.set('flow-service', { ...seeded, scopes: ['test:read'] });
      expect(await seed(database, config, () => {})).not.toContain(
        'refresh tokens by exchange for client flow-service',
      );
      expect((await policies.get('flow-service'))?.scopes).toEqual(['test:read']);
    });
  });
});
