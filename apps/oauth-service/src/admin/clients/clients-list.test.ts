import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, startAdminHarness } from '../test-support.ts';

describeEachDialect('admin API: clients list sorting', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;
  // Created in this order; the names sort otherwise, and case must not matter.
  const created = ['list-Bravo', 'list-charlie', 'list-alpha'];

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    for (const name of created) {
      const response = await list('POST', {
        name,
        type: 'confidential',
        grant_types: ['client_credentials'],
      });
      expect(response.statusCode).toBe(201);
      // Distinct creation times, so the creation order is the only right answer.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  afterAll(() => h?.close());

  function list(method: 'GET' | 'POST', payload: object | string) {
    return method === 'GET'
      ? h.app.inject({ method, url: `/api/admin/clients${payload}`, headers: auth })
      : h.app.inject({ method, url: '/api/admin/clients', headers: auth, payload: payload as object });
  }
  const names = async (query: string) =>
    ((await list('GET', query)).json().items as Array<{ name: string }>)
      .map((client) => client.name)
      .filter((name) => name.startsWith('list-'));

  it('sorts by name case-insensitively by default, and in both orders', async () => {
    expect(await names('')).toEqual(['list-alpha', 'list-Bravo', 'list-charlie']);
    expect(await names('?sort=name&order=desc')).toEqual(['list-charlie', 'list-Bravo', 'list-alpha']);
  });

  it('sorts by creation in both orders', async () => {
    expect(await names('?sort=created_at')).toEqual(created);
    expect(await names('?sort=created_at&order=desc')).toEqual([...created].reverse());
  });

  it('refuses an unknown sort or order naming it', async () => {
    const response = await list('GET', '?sort=client_secret');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(failedFields(response)).toEqual(['querystring:/sort']);
    expect(failedFields(await list('GET', '?order=random'))).toEqual(['querystring:/order']);
  });
});
