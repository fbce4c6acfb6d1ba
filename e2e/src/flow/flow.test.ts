// flow-service with the real platform: oauth-service issues the user's token for the flow API and, through
// the seeded flow-service client whose secret the seed handed over in a file, the tokens of http steps,
// which test-service verifies.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import { type SpawnedService, spawnService } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../json.ts';
import {
  codeFlow,
  type OAuthServer,
  portalConfig,
  startOAuthServer,
  TEST_SERVICE_DIR,
} from '../oauth/harness.ts';

const FLOW_DIR = join(import.meta.dirname, '..', '..', '..', 'apps/flow-service');

function push(cwd: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`db push failed: ${result.stderr}`);
}

describeEachDialect('flow-service on the platform', (temp) => {
  let dir: string;
  let server: OAuthServer;
  let flowDb: TempDatabase;
  let testDb: TempDatabase;
  let testService: SpawnedService;
  let flow: SpawnedService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flow-e2e-'));
    const secretFile = join(dir, 'flow-client-secret');
    server = await startOAuthServer(temp().url, { env: { FLOW_CLIENT_SECRET_FILE: secretFile } });
    testDb = await createTempDatabase('sqlite');
    flowDb = await createTempDatabase(temp().dialect);
    const common = {
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: server.issuer,
      OAUTH_JWKS_URL: `${server.issuer}/oauth/jwks`,
    };
    const testEnv = { ...common, DATABASE_URL: testDb.url };
    push(TEST_SERVICE_DIR, testEnv);
    testService = await spawnService({ cwd: TEST_SERVICE_DIR, entry: 'src/main.ts', env: testEnv });
    const flowEnv = {
      ...common,
      DATABASE_URL: flowDb.url,
      OAUTH_TOKEN_URL: `${server.issuer}/oauth/token`,
      FLOW_CLIENT_SECRET_FILE: secretFile,
      // test-service answers on its own internal origin; it is the resource server PUBLIC_URL/test.
      FLOW_RESOURCE_SERVERS: `kline,flow,test=${testService.url}`,
    };
    push(FLOW_DIR, flowEnv);
    flow = await spawnService({ cwd: FLOW_DIR, entry: 'src/main.ts', env: flowEnv, readyPath: '/ready' });
    // The seed printed the secret once and wrote the same value for flow-service.
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(server.machineSecret);
  });
  afterAll(async () => {
    await flow?.stop();
    await testService?.stop();
    await server?.stop();
    await flowDb?.drop();
    await testDb?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs an http step against test-service with a client_credentials token, started by a signed-in user', async () => {
    const tokens = await codeFlow(server, await portalConfig(server), {
      scope: 'openid flow:read flow:write flow:run',
      resource: `${server.issuer}/flow`,
    });
    const headers = { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' };
    const definition = {
      id: 'call-test',
      steps: [
        {
          id: 'echo',
          type: 'http',
          input: {
            method: 'POST',
            url: `${testService.url}/test/api/v1/echo`,
            body: { n: '{{ input.n }}' },
            auth: { scope: 'test:write' },
          },
        },
        {
          id: 'use',
          type: 'noop',
          dependsOn: ['echo'],
          input: { who: '{{ steps.echo.output.body.token.sub }}', n: '{{ steps.echo.output.body.body.n }}' },
        },
      ],
    };
    const created = await fetch(`${flow.url}/flow/api/v1/definitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(definition),
    });
    expect(created.status).toBe(201);
    const started = await fetch(`${flow.url}/flow/api/v1/definitions/call-test/runs`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': 'e2e-1' },
      body: JSON.stringify({ input: { n: 5 } }),
    });
    expect(started.status).toBe(201);
    const { id } = await json(started);
    let run: { state: string; output: unknown; steps: Array<{ error: string | null }> } | undefined;
    for (let i = 0; i < 200; i += 1) {
      run = await json(await fetch(`${flow.url}/flow/api/v1/runs/${id}`, { headers }));
      if (!['pending', 'running'].includes(run!.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(run?.steps[0]?.error ?? null).toBeNull();
    expect(run?.state).toBe('succeeded');
    // test-service saw flow-service's machine token; the body went through templates both ways.
    expect(run?.output).toEqual({ use: { who: 'flow-service', n: 5 } });

    // The user's token carries no flow:approve, and a token for another audience is refused.
    const decision = await fetch(`${flow.url}/flow/api/v1/runs/${id}/steps/echo/decision`, {
      method: 'POST',
      headers,
      body: '{"decision":"approve"}',
    });
    expect(decision.status).toBe(403);
    const testToken = await codeFlow(server, await portalConfig(server));
    const wrongAudience = await fetch(`${flow.url}/flow/api/v1/runs`, {
      headers: { authorization: `Bearer ${testToken.access_token}` },
    });
    expect(wrongAudience.status).toBe(401);
  });
});
