// A run acts for the user who started it, through the gateway: its start exchanges the user's token for a
// refresh token (RFC 8693), its http step refreshes that for test-service, and test-service sees the user
// as `sub` and flow-service as `act.sub`, also when the step starts after the user's access token expired
// (an approval gate). A user whose roles do not grant test:write cannot write there through a workflow
// either (ADR 0036).
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt } from 'jose';
import type * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../json.ts';
import { adminAccessToken, adminFetch, codeFlow, type OAuthServer, portalConfig } from '../oauth/harness.ts';
import { type FlowPlatform, startFlowPlatform } from './platform.ts';

const RUNNER = { login: 'runner1', password: 'runner-passphrase-42' };
/** Seconds: short enough for a run to outlive its starter's access token. */
const ACCESS_TOKEN_TTL = 5;

interface RunView {
  state: string;
  steps: Array<{
    id: string;
    error: string | null;
    output: { status: number; body: Record<string, unknown> } | null;
  }>;
}

describeEachDialect('a workflow acts for the user who started it', (temp) => {
  let platform: FlowPlatform;
  let server: OAuthServer;
  let portal: client.Configuration;
  let base: string;

  /** A user with the role `user` (test:read, not test:write) and one more role that only lets them run flows. */
  async function createRunner(adminToken: string) {
    const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
      adminFetch(server, adminToken, path, init);
    const permissions = (await json(api('/permissions'))).items as Array<{ id: string; name: string }>;
    const rolesBody = await json(api('/roles'));
    const roles = (rolesBody.items ?? rolesBody) as Array<{ id: string; name: string }>;
    const runnerRole = await json(api('/roles', { method: 'POST', body: { name: 'flow-runner' } }));
    const flowRun = permissions.find((p) => p.name === 'flow:run')!;
    expect((await api(`/roles/${runnerRole.id}/permissions/${flowRun.id}`, { method: 'PUT' })).status).toBe(
      204,
    );
    const created = await api('/users', {
      method: 'POST',
      body: { username: RUNNER.login, email: 'runner1@example.com', password: RUNNER.password },
    });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    for (const roleId of [roles.find((r) => r.name === 'user')!.id, runnerRole.id])
      expect((await api(`/users/${id}/roles/${roleId}`, { method: 'PUT' })).status).toBe(204);
  }

  const flowToken = async (credentials?: { login: string; password: string }) =>
    (
      await codeFlow(
        server,
        portal,
        { scope: 'openid flow:read flow:write flow:run flow:approve', resource: `${base}/flow` },
        ...(credentials ? [credentials] : []),
      )
    ).access_token;

  beforeAll(async () => {
    platform = await startFlowPlatform(temp(), {
      throughGateway: true,
      oauthEnv: { ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) },
    });
    server = platform.server;
    base = platform.gateway!.url;
    expect(server.issuer).toBe(base);
    portal = await portalConfig(server);
    await createRunner(await adminAccessToken(server, portal));
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const flowApi = (token: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/flow/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Polls the run (with a fresh token: the starter's may expire meanwhile) until it leaves `states`. */
  async function runLeaving(id: string, states: string[]): Promise<RunView> {
    const token = await flowToken();
    for (let i = 0; i < 300; i += 1) {
      const run = (await json(await flowApi(token, `/runs/${id}`))) as RunView;
      if (!states.includes(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${id} stayed ${states.join(' or ')}`);
  }

  async function startRun(token: string, definition: string, key: string): Promise<string> {
    const started = await flowApi(
      token,
      `/definitions/${definition}/runs`,
      { input: {} },
      { 'idempotency-key': key },
    );
    expect(started.status).toBe(201);
    return (await json(started)).id;
  }

  const runToEnd = async (token: string, key: string) =>
    runLeaving(await startRun(token, 'write-item', key), ['pending', 'running']);

  it('writes for an admin and is refused for a user-role user, and test-service sees sub and act', async () => {
    const adminFlowToken = await flowToken();
    const runnerFlowToken = await flowToken(RUNNER);
    expect(decodeJwt(runnerFlowToken).scope).toBe('flow:read flow:run');
    const saved = await flowApi(adminFlowToken, '/definitions', {
      id: 'write-item',
      steps: [
        {
          id: 'write',
          type: 'http',
          input: {
            method: 'POST',
            url: `${base}/test/api/v1/items`,
            body: { name: 'written by a workflow' },
            auth: { scope: 'test:write' },
          },
        },
      ],
    });
    expect(saved.status).toBe(201);

    const refused = await runToEnd(runnerFlowToken, 'runner-1');
    expect(refused.state).toBe('failed');
    expect(refused.steps[0]?.error).toMatch(
      /^the token of the user this run acts for was not refreshed for http:\/\/127\.0\.0\.1:\d+\/test \(test:write\): refresh refused: invalid_scope/,
    );

    const written = await runToEnd(adminFlowToken, 'admin-1');
    expect(written.steps[0]?.error ?? null).toBeNull();
    expect(written.state).toBe('succeeded');
    const adminSub = decodeJwt(adminFlowToken).sub;
    expect(written.steps[0]?.output).toMatchObject({
      status: 201,
      body: { name: 'written by a workflow', created_by: adminSub, created_by_actor: 'flow-service' },
    });

    // Only the admin's item exists: nothing was written for the runner, by any identity.
    const testToken = (await codeFlow(server, portal)).access_token;
    const items = await json(
      await fetch(`${base}/test/api/v1/items?limit=100`, {
        headers: { authorization: `Bearer ${testToken}` },
      }),
    );
    const fromWorkflows = items.items.filter(
      (item: { name: string }) => item.name === 'written by a workflow',
    );
    expect(fromWorkflows).toEqual([
      expect.objectContaining({ created_by: adminSub, created_by_actor: 'flow-service' }),
    ]);
  });

  it('writes with act when its http step starts after the starter’s access token expired', async () => {
    const saved = await flowApi(await flowToken(), '/definitions', {
      id: 'approve-then-write',
      steps: [
        { id: 'gate', type: 'approval' },
        {
          id: 'write',
          type: 'http',
          dependsOn: ['gate'],
          input: {
            method: 'POST',
            url: `${base}/test/api/v1/items`,
            body: { name: 'written after an approval' },
            auth: { scope: 'test:write' },
          },
        },
      ],
    });
    expect(saved.status).toBe(201);
    const starterToken = await flowToken();
    const id = await startRun(starterToken, 'approve-then-write', 'after-expiry-1');
    expect((await runLeaving(id, ['pending', 'running'])).state).toBe('waiting');
    // The starter's access token expires while the run waits for its approval.
    const expiresAt = decodeJwt(starterToken).exp! * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1000));
    expect(Date.now()).toBeGreaterThan(expiresAt);

    const decided = await flowApi(await flowToken(), `/runs/${id}/steps/gate/decision`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    const run = await runLeaving(id, ['pending', 'running', 'waiting']);
    expect(run.steps[1]?.error ?? null).toBeNull();
    expect(run.state).toBe('succeeded');
    expect(run.steps[1]?.output).toMatchObject({
      status: 201,
      body: {
        name: 'written after an approval',
        created_by: decodeJwt(starterToken).sub,
        created_by_actor: 'flow-service',
      },
    });
  });
});
