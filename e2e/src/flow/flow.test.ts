// flow-service with the real platform: oauth-service issues the user's token for the flow API and, through
// the seeded flow-service client whose secret the seed handed over in a file, exchanges it for the tokens
// of http steps, which test-service verifies.
import { readFileSync } from 'node:fs';
import { describeEachDialect } from '@platform/db/testing';
import type { SpawnedService } from '@platform/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../json.ts';
import { codeFlow, type OAuthServer, portalConfig } from '../oauth/harness.ts';
import { type FlowPlatform, startFlowPlatform } from './platform.ts';

describeEachDialect('flow-service on the platform', (temp) => {
  let platform: FlowPlatform;
  let server: OAuthServer;
  let testService: SpawnedService;
  let flow: SpawnedService;

  beforeAll(async () => {
    platform = await startFlowPlatform(temp());
    ({ server, testService, flow } = platform);
    // The seed printed the secret once and wrote the same value for flow-service.
    expect(readFileSync(platform.secretFile, 'utf8').trim()).toBe(server.machineSecret);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('runs an http step against test-service with the signed-in user’s exchanged token', async () => {
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
    // test-service saw the user's token exchanged by flow-service; the body went through templates both ways.
    expect(run?.output).toEqual({ use: { who: decodeJwt(tokens.access_token).sub, n: 5 } });

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
