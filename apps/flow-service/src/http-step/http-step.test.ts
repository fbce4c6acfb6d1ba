import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressPolicy } from '../egress/egress-policy.ts';
import { startTarget, type Target } from '../test/harness.ts';
import type { Authority } from './authority-client.ts';
import { executeHttpStep, type HttpStepOptions, type StepAuthor } from './http-step.ts';
import { createTokenClient, type TokenClient } from './token-client.ts';

const AUTHOR: StepAuthor = { sub: 'user-1', scopes: ['test:read', 'test:write', 'forbidden'] };

const context = (attempt = 1, author: StepAuthor = AUTHOR) => ({
  idempotencyKey: `run-1:call:${attempt}`,
  runId: 'run-1',
  stepId: 'call',
  attempt,
  signal: new AbortController().signal,
  author,
});

describe('http steps', () => {
  let target: Target;
  let tokenCalls: URLSearchParams[];
  beforeAll(async () => {
    target = await startTarget();
    tokenCalls = [];
  });
  afterAll(async () => target?.close());

  /** The target stands in for test-service, the resource server PUBLIC_URL/test, on its internal origin. */
  const authorities: Record<string, Authority | null> = {};
  const options = (tokens: TokenClient | null, extra: Partial<HttpStepOptions> = {}): HttpStepOptions => ({
    tokens,
    authority: {
      current: async (sub) =>
        sub in authorities ? authorities[sub]! : { active: true, scopes: AUTHOR.scopes! },
    },
    policy: createEgressPolicy({
      publicUrl: 'http://localhost:8080',
      resourceServers: [{ name: 'kline' }, { name: 'test', origin: target.url }],
      allowedOrigins: [],
    }),
    maxBodyBytes: 64 * 1024,
    ...extra,
  });

  const tokens = (expiresIn = 300, now = Date.now) =>
    createTokenClient({
      tokenUrl: 'http://oauth.invalid/oauth/token',
      clientId: 'flow-service',
      clientSecret: 'secret-secret-secret-secret-secret-00',
      now,
      fetch: async (_url, init) => {
        const body = new URLSearchParams(String(init?.body));
        tokenCalls.push(body);
        expect((init?.headers as Record<string, string> | undefined)?.authorization).toBe(
          `Basic ${Buffer.from('flow-service:secret-secret-secret-secret-secret-00').toString('base64')}`,
        );
        if (body.get('scope') === 'forbidden')
          return new Response(JSON.stringify({ error: 'invalid_scope' }), { status: 400 });
        return new Response(
          JSON.stringify({
            access_token: `token-${tokenCalls.length}`,
            expires_in: expiresIn,
            token_type: 'Bearer',
          }),
          { status: 200 },
        );
      },
    });

  it('sends the token, the idempotency key and the run headers; parses JSON answers', async () => {
    target.respond('/test/api/items', () => ({ status: 201, body: { id: 'i-1' } }));
    const client = tokens();
    const outcome = await executeHttpStep(
      { url: `${target.url}/test/api/items`, method: 'POST', body: { a: 1 }, auth: { scope: 'test:write' } },
      context(),
      options(client),
    );
    expect(outcome).toEqual({ kind: 'succeeded', output: { status: 201, body: { id: 'i-1' } } });
    const request = target.requests.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer token-1');
    expect(request.headers['idempotency-key']).toBe('run-1:call:1');
    expect(request.headers['x-flow-run-id']).toBe('run-1');
    expect(request.body).toBe('{"a":1}');
    expect(tokenCalls.at(-1)?.get('resource')).toBe('http://localhost:8080/test');
    expect(tokenCalls.at(-1)?.get('scope')).toBe('test:write');
  });

  it('caches tokens until shortly before expiry and shares one request between concurrent callers', async () => {
    let now = 1_000_000;
    tokenCalls = [];
    const client = tokens(120, () => now);
    const all = await Promise.all(
      Array.from({ length: 10 }, () => client.token({ resource: 'r', scope: 's' })),
    );
    expect(new Set(all).size).toBe(1);
    expect(client.requests()).toBe(1);
    now += 80_000;
    await client.token({ resource: 'r', scope: 's' });
    expect(client.requests()).toBe(1);
    now += 20_000; // 100 s of 120: inside the 30 s renewal margin
    await client.token({ resource: 'r', scope: 's' });
    expect(client.requests()).toBe(2);
    await client.token({ resource: 'other', scope: 's' });
    expect(client.requests()).toBe(3);
  });

  it('classifies answers: 5xx/429 retry, 4xx fail unless on4xx says otherwise, refused tokens fail', async () => {
    const none = options(null);
    for (const [status, expected] of [
      [500, { kind: 'failed', retryable: true }],
      [429, { kind: 'failed', retryable: true }],
      [422, { kind: 'failed', retryable: false }],
    ] as const) {
      target.respond('/status', () => ({ status }));
      expect(
        await executeHttpStep({ url: `${target.url}/status`, auth: 'none' }, context(), none),
      ).toMatchObject(expected);
    }
    target.respond('/status', () => ({ status: 409, body: { exists: true } }));
    expect(
      await executeHttpStep({ url: `${target.url}/status`, auth: 'none', on4xx: 'succeed' }, context(), none),
    ).toEqual({ kind: 'succeeded', output: { status: 409, body: { exists: true } } });
    expect(
      await executeHttpStep({ url: `${target.url}/status`, auth: 'none', on4xx: 'retry' }, context(), none),
    ).toMatchObject({ kind: 'failed', retryable: true });
    expect(await executeHttpStep({ url: `${target.url}/status` }, context(), none)).toMatchObject({
      kind: 'failed',
      retryable: false,
      error: expect.stringMatching(/FLOW_CLIENT_SECRET/),
    });
    expect(
      await executeHttpStep(
        { url: `${target.url}/status`, auth: { scope: 'forbidden' } },
        context(),
        options(tokens()),
      ),
    ).toMatchObject({
      kind: 'failed',
      retryable: false,
      error: 'token request refused: invalid_scope',
    });
    expect(await executeHttpStep({ url: 'ftp://files/x', auth: 'none' }, context(), none)).toMatchObject({
      kind: 'failed',
      retryable: false,
    });
    const closed = createEgressPolicy({
      publicUrl: 'http://localhost:8080',
      resourceServers: [],
      allowedOrigins: ['http://127.0.0.1:1'],
    });
    expect(
      await executeHttpStep({ url: 'http://127.0.0.1:1/unreachable', auth: 'none' }, context(), {
        ...none,
        policy: closed,
      }),
    ).toMatchObject({ kind: 'failed', retryable: true });
  });

  it('drops a token the resource refused (401) and retries with a new one', async () => {
    tokenCalls = [];
    const client = tokens();
    target.respond('/strict', (n) => (n === 1 ? { status: 401 } : { status: 200 }));
    const first = await executeHttpStep({ url: `${target.url}/strict` }, context(1), options(client));
    expect(first).toMatchObject({ kind: 'failed', retryable: true });
    const second = await executeHttpStep({ url: `${target.url}/strict` }, context(2), options(client));
    expect(second.kind).toBe('succeeded');
    expect(client.requests()).toBe(2);
  });
});
