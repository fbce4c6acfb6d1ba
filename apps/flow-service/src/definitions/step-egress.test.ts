import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Authority, AuthorityUnavailableError } from '../http-step/authority-client.ts';
import { CLIENT_SECRET, type Harness, startHarness, startTarget, type Target } from '../test/harness.ts';

// Save-time refusals of http steps (400 naming the step and field), and the author's authority at run time.

describeEachDialect('http steps: egress at save time, authority at run time', (temp) => {
  let h: Harness;
  let target: Target;
  let now: Authority | 'unavailable' = { active: true, scopes: ['test:write'] };
  beforeAll(async () => {
    target = await startTarget();
    h = await startHarness(
      temp().url,
      {
        FLOW_CLIENT_SECRET: CLIENT_SECRET,
        FLOW_RESOURCE_SERVERS: [{ name: 'test', origin: target.url }],
        FLOW_HTTP_ALLOWED_ORIGINS: ['http://127.0.0.1:9'],
      },
      {
        fetch: async () =>
          new Response(JSON.stringify({ access_token: 'machine-token', expires_in: 300 }), { status: 200 }),
        authority: {
          async current() {
            if (now === 'unavailable') throw new AuthorityUnavailableError('oauth-service is down');
            return now;
          },
        },
      },
    );
  });
  afterAll(async () => {
    await h?.close();
    await target?.close();
  });

  const http = (id: string, input: Record<string, unknown>) => ({
    id: `d-${id}`,
    steps: [
      { id: 'first', type: 'noop' },
      { id, type: 'http', dependsOn: ['first'], input },
    ],
  });
  const save = (document: unknown) => h.call('POST', '/flow/api/v1/definitions', document);

  it('refuses a target outside the policy, naming the step and the field', async () => {
    const response = await save(
      http('steal', { url: 'http://127.0.0.9:9977/kline/steal', auth: { scope: 'test:write' } }),
    );
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.errors[0]).toEqual({
      path: '/steps/1/input/url',
      message: expect.stringMatching(
        /^step "steal": input\.url: http:\/\/127\.0\.0\.9:9977\/kline\/steal is not an allowed target/,
      ),
    });
    const host = await save(
      http('vhost', { url: `${target.url}/x`, auth: 'none', headers: { Host: 'admin.internal' } }),
    );
    expect(host.body.errors[0]).toMatchObject({ path: '/steps/1/input/headers/Host' });
    const validate = await h.call(
      'POST',
      '/flow/api/v1/definitions/validate',
      http('steal', { url: 'http://10.0.0.1/x' }),
    );
    expect(validate.status).toBe(400);
  });

  it('refuses a token for a listed origin that is no resource server, and an audience the author picks', async () => {
    const listed = await save(http('hook', { url: 'http://127.0.0.1:9/hook' }));
    expect(listed.body.errors[0].path).toBe('/steps/1/input/auth');
    expect((await save(http('hook', { url: 'http://127.0.0.1:9/hook', auth: 'none' }))).status).toBe(201);
    const audience = await save(
      http('aud', {
        url: `${target.url}/x`,
        auth: { resource: 'http://localhost:8080/kline', scope: 'test:write' },
      }),
    );
    expect(audience.body.errors[0]).toMatchObject({ path: '/steps/1/input/auth/resource' });
  });

  it('refuses a scope the author holds neither in the token nor through their roles; 503 when it cannot tell', async () => {
    const response = await save(
      http('grab', { url: `${target.url}/x`, auth: { scope: 'test:write kline:write' } }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        path: '/steps/1/input/auth/scope',
        message: expect.stringMatching(/^step "grab": input\.auth\.scope: you do not hold kline:write/),
      },
    ]);
    now = 'unavailable';
    const unavailable = await save(http('grab', { url: `${target.url}/x`, auth: { scope: 'test:write' } }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.code ?? unavailable.body.type).toBeDefined();
    // A token scope in the author's own token needs no question to oauth-service.
    expect((await save(http('own', { url: `${target.url}/x`, auth: { scope: 'flow:read' } }))).status).toBe(
      201,
    );
    now = { active: true, scopes: ['test:write'] };
  });

  // Runs nobody started through the API (schedules) act with the author's authority (ADR 0001); API
  // starts act for their user (acting-user.test.ts).
  const startUnattended = async (definitionId: string) =>
    (
      await h.app.flow.engine.startRun({
        definitionId,
        input: {},
        trigger: 'schedule',
        createdBy: 'schedule:test',
      })
    ).runId;

  it('accepts a templated URL at save and refuses it at run time; runs with the author’s authority until it is lost', async () => {
    expect((await save(http('any', { url: '{{ input.url }}', auth: 'none' }))).status).toBe(201);
    const before = target.requests.length;
    const refused = await h.waitFor(await h.start('d-any', { url: 'http://127.0.0.9:9977/x' }));
    expect(refused.state).toBe('failed');
    expect(refused.steps[1].error).toMatch(/not an allowed target/);

    expect(
      (await save(http('call', { url: `${target.url}/call`, auth: { scope: 'test:write' } }))).status,
    ).toBe(201);
    const ok = await h.waitFor(await startUnattended('d-call'));
    expect(ok.state).toBe('succeeded');
    expect(target.requests.at(-1)?.headers.authorization).toBe('Bearer machine-token');
    now = { active: true, scopes: ['test:read'] };
    const lost = await h.waitFor(await startUnattended('d-call'));
    expect(lost.state).toBe('failed');
    expect(lost.steps[1].error).toMatch(/author user-1 no longer holds test:write/);
    now = { active: false, scopes: [] };
    const disabled = await h.waitFor(await startUnattended('d-call'));
    expect(disabled.steps[1].error).toMatch(/author user-1 is disabled or deleted/);
    expect(target.requests.length).toBe(before + 1);
    now = { active: true, scopes: ['test:write'] };
  });
});
