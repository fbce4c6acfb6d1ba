import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUDIENCE, type Harness, startHarness } from '../test/harness.ts';

// A service calling for a user with an exchanged token (RFC 8693 `act`): test-service records both the
// user and the acting client, in what it stores and in its request log, and never the token.

describeEachDialect('the acting party of a delegated token', (temp) => {
  let h: Harness;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    h = await startHarness(temp().url, { logStream: { write: (line) => lines.push(JSON.parse(line)) } });
  });
  afterAll(() => h.close());

  const delegated = () =>
    h.issuer.mint({
      aud: AUDIENCE,
      client_id: 'flow-service',
      sub: 'alice',
      scope: 'test:read test:write',
      claims: { act: { sub: 'flow-service' } },
    });

  it('stores who created an item and who acted for them; logs both, never the token', async () => {
    const token = await delegated();
    const created = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/items',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'delegated' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ created_by: 'alice', created_by_actor: 'flow-service' });
    const completed = lines.find((l) => l.msg === 'request completed');
    expect(completed?.req).toMatchObject({ method: 'POST', url: '/test/api/v1/items' });
    expect(completed).toMatchObject({ sub: 'alice', client_id: 'flow-service', act: 'flow-service' });
    expect(JSON.stringify(lines)).not.toContain(token.split('.')[2]);

    const direct = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/items',
      headers: { authorization: `Bearer ${await h.token('test:write', 'bob')}` },
      payload: { name: 'direct' },
    });
    expect(direct.json()).toMatchObject({ created_by: 'bob', created_by_actor: null });
  });

  it('echoes the acting party with the token identity', async () => {
    const echoed = await h.app.inject({
      method: 'GET',
      url: '/test/api/v1/echo',
      headers: { authorization: `Bearer ${await delegated()}` },
    });
    expect(echoed.json().token).toEqual({
      sub: 'alice',
      client_id: 'flow-service',
      scope: 'test:read test:write',
      act: { sub: 'flow-service' },
    });
  });
});
