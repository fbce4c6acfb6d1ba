import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REFRESH_TOKEN_TYPE } from '../http-step/token-client.ts';
import {
  AUDIENCE,
  CLIENT_SECRET,
  type Harness,
  type Json,
  startHarness,
  startTarget,
  type Target,
} from '../test/harness.ts';
import { createTokenSeal } from './token-seal.ts';

// A run started through the API acts for its starter: its start exchanges the starter's token once for a
// refresh token (RFC 8693), each token-bearing http step refreshes it for its target, and nothing falls
// back to flow-service's own identity (ADR 0036).

describeEachDialect('http steps act for the user who started the run', (temp) => {
  let h: Harness;
  let target: Target;
  let tokenCalls: URLSearchParams[] = [];
  let authorityAsked = 0;
  /** Subjects oauth-service refuses test:write to (their roles do not grant it). */
  const readers = new Set(['reader']);
  /** Refresh tokens flow-service revoked. */
  const revoked = new Set<string>();
  /** Whether oauth-service answers a refresh token exchange (the policy holds offline_access). */
  let issueRefreshTokens = true;
  let refreshTokensIssued = 0;
  const subjectOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).sub as string;

  beforeAll(async () => {
    target = await startTarget();
    h = await startHarness(
      temp().url,
      { FLOW_CLIENT_SECRET: CLIENT_SECRET, FLOW_RESOURCE_SERVERS: [{ name: 'test', origin: target.url }] },
      {
        fetch: async (url, init) => {
          const body = new URLSearchParams(String(init?.body));
          tokenCalls.push(body);
          if (String(url).endsWith('/revoke')) {
            revoked.add(body.get('token')!);
            return new Response(null, { status: 200 });
          }
          const subject = body.get('subject_token');
          if (body.get('requested_token_type') === REFRESH_TOKEN_TYPE) {
            if (!issueRefreshTokens) return Response.json({ error: 'unauthorized_client' }, { status: 400 });
            return Response.json({
              access_token: `refresh.${subjectOf(subject!)}.${++refreshTokensIssued}`,
              issued_token_type: REFRESH_TOKEN_TYPE,
              token_type: 'N_A',
              expires_in: 86_400,
            });
          }
          const refresh = body.get('refresh_token');
          if (refresh && revoked.has(refresh))
            return Response.json({ error: 'invalid_grant' }, { status: 400 });
          const sub = refresh ? refresh.split('.')[1]! : subject ? subjectOf(subject) : 'flow-service';
          if (readers.has(sub) && body.get('scope')?.includes('test:write'))
            return Response.json(
              { error: 'invalid_scope', error_description: 'not granted' },
              { status: 400 },
            );
          return Response.json({ access_token: `token-for-${sub}-${tokenCalls.length}`, expires_in: 300 });
        },
        authority: {
          async current() {
            authorityAsked += 1;
            return { active: true, scopes: ['test:write'] };
          },
        },
      },
    );
    await h.define({
      id: 'gated-write',
      steps: [
        { id: 'gate', type: 'approval' },
        {
          id: 'write',
          type: 'http',
          dependsOn: ['gate'],
          input: { url: `${target.url}/items`, body: { a: 1 }, auth: { scope: 'test:write' } },
        },
      ],
    });
  });
  afterAll(async () => {
    await h?.close();
    await target?.close();
  });

  /** POSTs as `sub` with a token the test keeps; answers the status, body and that token. */
  async function post(url: string, sub: string, body: unknown = {}, expiresIn = 300) {
    const token = await h.issuer.mint({
      aud: AUDIENCE,
      client_id: 'console',
      sub,
      scope: 'flow:run flow:read flow:approve',
      expiresIn,
    });
    const response = await h.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}` },
      payload: body as object,
    });
    return { status: response.statusCode, body: response.json() as Json, token, text: response.body };
  }
  const start = (sub: string, expiresIn?: number) =>
    post('/flow/api/v1/definitions/gated-write/runs', sub, { input: {} }, expiresIn);
  /** Approves the gate once it waits for a decision (a decision before that is refused). */
  const approve = async (runId: string) => {
    await h.waitFor(runId, ['waiting']);
    const decided = await h.call('POST', `/flow/api/v1/runs/${runId}/steps/gate/decision`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
  };
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const row = (runId: string) =>
    h.app.flow.database.db
      .selectFrom('run_acting_users')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();

  it('keeps a sealed refresh token for the run, refreshes it at the step, and revokes it at the end', async () => {
    tokenCalls = [];
    authorityAsked = 0;
    const started = await start('user-1');
    expect(started.status).toBe(201);
    expect(started.text).not.toContain(started.token);
    const kept = await row(started.body.id);
    expect(kept).toMatchObject({ sub: 'user-1' });
    expect(kept?.sealed_token).not.toContain('refresh.user-1');
    expect(createTokenSeal(CLIENT_SECRET).open(kept!.sealed_token!)).toBe('refresh_token refresh.user-1.1');
    const detail = await h.call('GET', `/flow/api/v1/runs/${started.body.id}`);
    expect(JSON.stringify(detail.body)).not.toContain(kept!.sealed_token!);

    await approve(started.body.id);
    const run = await h.waitFor(started.body.id);
    expect(run.steps[1].error).toBeNull();
    expect(run.state).toBe('succeeded');
    await until(() => revoked.has('refresh.user-1.1'));
    expect(tokenCalls.map((c) => Object.fromEntries(c))).toEqual([
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: started.token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        requested_token_type: REFRESH_TOKEN_TYPE,
      },
      {
        grant_type: 'refresh_token',
        refresh_token: 'refresh.user-1.1',
        resource: 'http://localhost:8080/test',
        scope: 'test:write',
      },
      { token: 'refresh.user-1.1', token_type_hint: 'refresh_token' },
    ]);
    expect(target.requests.at(-1)?.headers.authorization).toMatch(/^Bearer token-for-user-1-/);
    expect(authorityAsked).toBe(0);
    expect(await row(started.body.id)).toBeUndefined();
    revoked.clear();
  });

  it('revokes the refresh token a replayed start obtained; the run keeps the first one', async () => {
    const token = await h.issuer.mint({
      aud: AUDIENCE,
      client_id: 'console',
      sub: 'user-2',
      scope: 'flow:run flow:read flow:approve',
      expiresIn: 300,
    });
    const startWithKey = () =>
      h.app.inject({
        method: 'POST',
        url: '/flow/api/v1/definitions/gated-write/runs',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'replayed-start' },
        payload: { input: {} },
      });
    const first = await startWithKey();
    expect(first.statusCode).toBe(201);
    const kept = createTokenSeal(CLIENT_SECRET).open((await row(first.json().id))!.sealed_token!);
    const replay = await startWithKey();
    expect(replay.statusCode).toBe(200);
    expect(replay.json().id).toBe(first.json().id);
    expect(createTokenSeal(CLIENT_SECRET).open((await row(first.json().id))!.sealed_token!)).toBe(kept);
    expect([...revoked].filter((t) => t.startsWith('refresh.user-2.'))).toHaveLength(1);
    expect(revoked.has(kept!.slice('refresh_token '.length))).toBe(false);
    await h.call('POST', `/flow/api/v1/runs/${first.json().id}/cancel`);
    await until(() => revoked.has(kept!.slice('refresh_token '.length)));
    expect(revoked.has(kept!.slice('refresh_token '.length))).toBe(true);
  });

  it('acts for the user in a step that starts after the user’s access token expired', async () => {
    const started = await start('user-1', 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await approve(started.body.id);
    const run = await h.waitFor(started.body.id);
    expect(run.steps[1].error).toBeNull();
    expect(run.state).toBe('succeeded');
    expect(target.requests.at(-1)?.headers.authorization).toMatch(/^Bearer token-for-user-1-/);
  });

  it('fails a later step once the user lost the role, with no fallback to flow-service’s own token', async () => {
    const started = await start('demoted');
    readers.add('demoted');
    tokenCalls = [];
    const before = target.requests.length;
    await approve(started.body.id);
    const run = await h.waitFor(started.body.id);
    expect(run.state).toBe('failed');
    expect(run.steps[1].error).toBe(
      'the token of the user this run acts for was not refreshed for http://localhost:8080/test (test:write): refresh refused: invalid_scope (not granted)',
    );
    expect(tokenCalls.map((c) => c.get('grant_type')).filter(Boolean)).toEqual(['refresh_token']);
    expect(target.requests.length).toBe(before);
  });

  it('fails the step when the user may not write, with no fallback to flow-service’s own token', async () => {
    tokenCalls = [];
    const before = target.requests.length;
    const started = await start('reader');
    await approve(started.body.id);
    const run = await h.waitFor(started.body.id);
    expect(run.state).toBe('failed');
    expect(run.steps[1].error).toBe(
      'the token of the user this run acts for was not refreshed for http://localhost:8080/test (test:write): refresh refused: invalid_scope (not granted)',
    );
    expect(tokenCalls.map((c) => c.get('grant_type')).filter(Boolean)).toEqual([
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'refresh_token',
    ]);
    expect(target.requests.length).toBe(before);
    expect(await row(started.body.id)).toBeUndefined();

    // A retry or rerun acts for whoever asks for it.
    const retried = await post(`/flow/api/v1/runs/${started.body.id}/retry`, 'user-1');
    expect(retried.status).toBe(200);
    expect((await row(started.body.id))?.sub).toBe('user-1');
    // Only the failed step runs again (the approval stands), now with user-1's refresh token.
    expect((await h.waitFor(started.body.id)).state).toBe('succeeded');
    expect(target.requests.at(-1)?.headers.authorization).toMatch(/^Bearer token-for-user-1-/);
    const rerun = await post(`/flow/api/v1/runs/${started.body.id}/rerun`, 'reader');
    expect(rerun.status).toBe(201);
    expect((await row(rerun.body.id))?.sub).toBe('reader');
    await h.call('POST', `/flow/api/v1/runs/${rerun.body.id}/cancel`);
  });

  it('keeps the access token when oauth-service issues no refresh token: the step fails once it expired', async () => {
    issueRefreshTokens = false;
    const started = await start('user-1', 1);
    issueRefreshTokens = true;
    expect(createTokenSeal(CLIENT_SECRET).open((await row(started.body.id))!.sealed_token!)).toBe(
      started.token,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    tokenCalls = [];
    await approve(started.body.id);
    const run = await h.waitFor(started.body.id);
    expect(run.state).toBe('failed');
    expect(run.steps[1].error).toMatch(
      /^the token of user-1, who started this run, expired at .*Z; the step does not fall back to flow-service’s own identity \(start the run again\)$/,
    );
    expect(tokenCalls).toEqual([]);
  });

  it('runs nobody started through the API (schedules) keep the author-bound client_credentials token', async () => {
    tokenCalls = [];
    authorityAsked = 0;
    const { runId } = await h.app.flow.engine.startRun({
      definitionId: 'gated-write',
      input: {},
      trigger: 'schedule',
      createdBy: 'schedule:s',
    });
    expect(await row(runId)).toBeUndefined();
    await approve(runId);
    expect((await h.waitFor(runId)).state).toBe('succeeded');
    expect(tokenCalls.map((c) => c.get('grant_type'))).toEqual(['client_credentials']);
    expect(authorityAsked).toBe(1);
  });
});
