import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_SCOPES, AUDIENCE, type Harness, type Json, startHarness } from '../test/harness.ts';

// Runs name who started them and who decided an approval: the username the access token carries
// (preferred_username) beside the subject id, as it was when they acted.
describeEachDialect('runs name people', (temp) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    await h.define({ id: 'named-gate', steps: [{ id: 'ask', type: 'approval' }] });
  });
  afterAll(async () => h?.close());

  const as = async (username: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) => {
    const token = await h.issuer.mint({
      aud: AUDIENCE,
      client_id: 'console',
      sub: `id-of-${username ?? 'nobody'}`,
      scope: ALL_SCOPES,
      ...(username ? { claims: { preferred_username: username } } : {}),
    });
    const response = await h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
    return { status: response.statusCode, body: response.json() as Json };
  };

  it('a run started through the API names its starter, in the run, its list and a rerun', async () => {
    const started = await as('alice', 'POST', '/flow/api/v1/definitions/named-gate/runs', { input: {} });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ created_by: 'id-of-alice', created_by_name: 'alice' });
    const run = await as('bob', 'GET', `/flow/api/v1/runs/${started.body.id}`);
    expect(run.body).toMatchObject({ created_by: 'id-of-alice', created_by_name: 'alice' });
    const listed = await as('bob', 'GET', '/flow/api/v1/runs?definition=named-gate');
    expect(listed.body.runs[0]).toMatchObject({ id: started.body.id, created_by_name: 'alice' });

    await h.waitFor(started.body.id, ['waiting']);
    await as('carol', 'POST', `/flow/api/v1/runs/${started.body.id}/cancel`);
    const rerun = await as('carol', 'POST', `/flow/api/v1/runs/${started.body.id}/rerun`);
    expect(rerun.status).toBe(201);
    expect(rerun.body).toMatchObject({ trigger: 'rerun', created_by_name: 'carol' });
  });

  it('an approval decision names its decider', async () => {
    const started = await as('alice', 'POST', '/flow/api/v1/definitions/named-gate/runs', { input: {} });
    await h.waitFor(started.body.id, ['waiting']);
    const decided = await as('dave', 'POST', `/flow/api/v1/runs/${started.body.id}/steps/ask/decision`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({ decision: 'approve', by: 'id-of-dave', by_name: 'dave' });
  });

  it('a token without a username leaves the name null: the id stands alone', async () => {
    const started = await as(undefined, 'POST', '/flow/api/v1/definitions/named-gate/runs', { input: {} });
    expect(started.body).toMatchObject({ created_by: 'id-of-nobody', created_by_name: null });
  });
});
