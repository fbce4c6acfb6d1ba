import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer } from '../admin/test-support.ts';
import { ACCOUNT_RESOURCE, type AccountHarness, startAccountHarness } from './test-support.ts';

describeEachDialect('account API: who may call it', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  it('answers a user whose roles grant nothing else: the account scope needs no role', async () => {
    const { auth, tokens } = await h.signedInUser('no-roles', []);
    expect(tokens.scope).toBe('account');
    const response = await h.call('GET', '/me', auth);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('refuses a request without a token (401 with a challenge naming the resource metadata)', async () => {
    const response = await h.call('GET', '/me', {});
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('oauth-protected-resource/api/account');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses a token for another audience (401): an admin API token is not an account token', async () => {
    await h.createUser('admin-audience', ['admin']);
    const { tokens } = await h.userTokens({ login: 'admin-audience', password: 'violet-harbor-lantern-9' });
    const response = await h.call('GET', '/me', bearer(tokens.access_token));
    expect(response.statusCode).toBe(401);
  });

  it('refuses a client_credentials token (403): there is no account to manage', async () => {
    const machine = await h.clientRepository.create({
      name: 'account machine',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scope: ['account'],
    });
    const token = await h.clientToken(
      'account',
      { clientId: machine.client.client_id, secret: machine.clientSecret! },
      ACCOUNT_RESOURCE,
    );
    const response = await h.call('GET', '/me', bearer(token));
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('user_token_required');
  });

  it('refuses a disabled user at once, token still valid (403)', async () => {
    const { user, auth } = await h.signedInUser('soon-disabled');
    await h.users.disable(user.id);
    const response = await h.call('GET', '/me', auth);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('account_inactive');
  });

  it('publishes RFC 9728 metadata and its own OpenAPI document', async () => {
    const metadata = await h.app.inject({ url: '/.well-known/oauth-protected-resource/api/account' });
    expect(metadata.json()).toMatchObject({ resource: ACCOUNT_RESOURCE, scopes_supported: ['account'] });
    const document = (await h.app.inject({ url: '/api/account/openapi.json' })).json();
    const paths = Object.keys(document.paths);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((path) => !path.startsWith('/api/account/'))).toEqual([
      '/.well-known/oauth-protected-resource/api/account',
    ]);
    const admin = (await h.app.inject({ url: '/api/admin/openapi.json' })).json();
    expect(Object.keys(admin.paths).some((path) => path.includes('/api/account'))).toBe(false);
  });
});
