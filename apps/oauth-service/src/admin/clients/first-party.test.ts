import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { adminSuite, bearer, failedFields } from '../test-support.ts';

// The first-party flag through the admin API: off unless an administrator turns it on, refused for public
// clients (their identity cannot be assured), audited like every other client setting.

const webClient = (name: string, extra: object = {}) => ({
  name,
  type: 'confidential',
  grant_types: ['authorization_code'],
  redirect_uris: ['https://app.example.test/callback'],
  scope: ['openid', 'test:read'],
  ...extra,
});

describeEachDialect('admin API: first-party clients', (temp) => {
  const suite = adminSuite(temp);
  const { call } = suite;

  it('marks the seeded console first-party', async () => {
    const response = await call('GET', '/api/admin/clients/admin-portal');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'Platform console', first_party: true });
    // The public CLI client keeps the consent page: anyone can present its id.
    expect((await call('GET', '/api/admin/clients/platform-cli')).json().first_party).toBe(false);
  });

  it('creates third-party clients unless told otherwise', async () => {
    const created = await call('POST', '/api/admin/clients', webClient('partner dashboard'));
    expect(created.statusCode).toBe(201);
    expect(created.json().first_party).toBe(false);
    const own = await call('POST', '/api/admin/clients', webClient('own dashboard', { first_party: true }));
    expect(own.statusCode).toBe(201);
    expect(own.json().first_party).toBe(true);
    const [audited] = await suite.h.auditOf('client.create');
    expect(audited).toMatchObject({ targetId: own.json().client_id, details: { first_party: true } });
  });

  it('refuses a public first-party client with a problem naming the field', async () => {
    const response = await call(
      'POST',
      '/api/admin/clients',
      webClient('public spa', { type: 'public', token_endpoint_auth_method: 'none', first_party: true }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(failedFields(response)).toEqual(['body:/first_party']);
  });

  it('refuses a first_party that is not a boolean', async () => {
    const response = await call('POST', '/api/admin/clients', webClient('typed', { first_party: 'yes' }));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('changes the flag with PATCH, audited with the field that changed', async () => {
    const { client_id } = (await call('POST', '/api/admin/clients', webClient('promoted'))).json();
    const response = await call('PATCH', `/api/admin/clients/${client_id}`, { first_party: true });
    expect(response.statusCode).toBe(200);
    expect(response.json().first_party).toBe(true);
    expect((await call('GET', `/api/admin/clients/${client_id}`)).json().first_party).toBe(true);
    const [audited] = await suite.h.auditOf('client.update');
    expect(audited).toMatchObject({
      targetId: client_id,
      details: { changed: ['first_party'], first_party: true },
    });
  });

  it('lets only admin:write set it', async () => {
    const readOnly = bearer(await suite.h.clientToken('admin:read'));
    const response = await call('PATCH', '/api/admin/clients/admin-portal', { first_party: false }, readOnly);
    expect(response.statusCode).toBe(403);
    expect((await call('GET', '/api/admin/clients/admin-portal')).json().first_party).toBe(true);
  });
});
