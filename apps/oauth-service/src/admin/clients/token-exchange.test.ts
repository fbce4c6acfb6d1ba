import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { adminSuite, failedFields, PUBLIC_URL } from '../test-support.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TEST = `${PUBLIC_URL}/test`;

const exchanger = (name: string, tokenExchange: unknown, extra: object = {}) => ({
  name,
  type: 'confidential',
  grant_types: [GRANT],
  token_exchange: tokenExchange,
  ...extra,
});

const policy = (overrides: object = {}) => ({
  audiences: [TEST],
  scopes: ['test:read'],
  delegation: true,
  impersonation: false,
  ...overrides,
});

describeEachDialect('admin API: token exchange policies', (temp) => {
  const suite = adminSuite(temp);
  const { call } = suite;

  it('sets, shows, changes and removes a client policy, audited', async () => {
    const created = await call('POST', '/api/admin/clients', exchanger('policy holder', policy()));
    expect(created.statusCode, created.payload).toBe(201);
    const id = created.json().client_id;
    expect(created.json().token_exchange).toEqual(policy());
    expect((await call('GET', `/api/admin/clients/${id}`)).json().token_exchange).toEqual(policy());

    const changed = policy({ scopes: ['test:read', 'test:write'], impersonation: true });
    const updated = await call('PATCH', `/api/admin/clients/${id}`, { token_exchange: changed });
    expect(updated.statusCode, updated.payload).toBe(200);
    expect(updated.json().token_exchange).toEqual(changed);
    const [event] = await suite.h.auditOf('client.update');
    expect(event?.details).toMatchObject({ changed: ['token_exchange'], exchange_policy: changed });

    const listed = (await call('GET', '/api/admin/clients')).json().items;
    expect(listed.find((c: { client_id: string }) => c.client_id === id).token_exchange).toEqual(changed);

    const removed = await call('PATCH', `/api/admin/clients/${id}`, { token_exchange: null });
    expect(removed.json().token_exchange).toBeNull();
  });

  it('gives every other client but flow-service (its steps act for their user) no policy', async () => {
    const clients = (await call('GET', '/api/admin/clients')).json().items;
    expect(
      clients.find((c: { client_id: string }) => c.client_id === 'flow-service').token_exchange,
    ).not.toBeNull();
    for (const client of clients)
      if (!client.name.startsWith('policy holder') && client.client_id !== 'flow-service')
        expect(client.token_exchange).toBeNull();
  });

  it('refuses a policy naming unknown audiences or foreign scopes, or allowing no mode', async () => {
    const cases: Array<[unknown, string[]]> = [
      [
        policy({ audiences: [`${PUBLIC_URL}/nowhere`] }),
        ['body:/token_exchange/audiences/0', 'body:/token_exchange/scopes/0'],
      ],
      [policy({ scopes: ['kline:read'] }), ['body:/token_exchange/scopes/0']],
      [
        policy({ audiences: [], scopes: [] }),
        ['body:/token_exchange/audiences', 'body:/token_exchange/scopes'],
      ],
      [policy({ delegation: false }), ['body:/token_exchange']],
    ];
    for (const [value, fields] of cases) {
      const response = await call('POST', '/api/admin/clients', exchanger('refused policy', value));
      expect(response.statusCode, response.payload).toBe(400);
      expect(failedFields(response)).toEqual(fields);
    }
    // Nothing was created for a refused policy.
    const names = (await call('GET', '/api/admin/clients')).json().items.map((c: { name: string }) => c.name);
    expect(names).not.toContain('refused policy');
    const malformed = await call('POST', '/api/admin/clients', exchanger('malformed', { audiences: [TEST] }));
    expect(malformed.statusCode).toBe(400);
  });

  it('refuses the grant type for a public client', async () => {
    const response = await call(
      'POST',
      '/api/admin/clients',
      exchanger('public exchanger', null, {
        type: 'public',
        grant_types: ['authorization_code', GRANT],
        redirect_uris: ['http://127.0.0.1/cb'],
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(failedFields(response)).toContain('body:/grant_types');
  });
});
