import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressPolicy, type EgressPolicyOptions } from '../egress/egress-policy.ts';
import { startTarget, type Target } from '../test/harness.ts';
import type { Authority } from './authority-client.ts';
import { executeHttpStep, type HttpStepOptions, type StepAuthor } from './http-step.ts';
import type { TokenClient } from './token-client.ts';

// What an http step refuses before anything is sent, and what it reads of an answer.

describe('http step egress and authority', () => {
  let target: Target;
  let tokenRequests: Array<{ resource?: string; scope?: string }>;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => target?.close());

  const tokens: TokenClient = {
    async token(request) {
      tokenRequests.push(request);
      return 'machine-token';
    },
    invalidate() {},
    requests: () => tokenRequests.length,
    refreshTokenFor: async () => null,
    revoke: async () => {},
  };
  const run = async (
    input: Parameters<typeof executeHttpStep>[0],
    setup: {
      author?: StepAuthor;
      now?: Authority | null;
      policy?: Partial<EgressPolicyOptions>;
      maxBodyBytes?: number;
    } = {},
  ) => {
    tokenRequests = [];
    const before = target.requests.length;
    const options: HttpStepOptions = {
      tokens,
      authority: {
        current: async () => (setup.now === undefined ? { active: true, scopes: ['test:write'] } : setup.now),
      },
      policy: createEgressPolicy({
        publicUrl: 'http://localhost:8080',
        resourceServers: [{ name: 'test', origin: target.url }],
        allowedOrigins: [],
        ...setup.policy,
      }),
      maxBodyBytes: setup.maxBodyBytes ?? 64 * 1024,
    };
    const outcome = await executeHttpStep(
      input,
      {
        idempotencyKey: 'k',
        runId: 'run-1',
        stepId: 'call',
        attempt: 1,
        signal: AbortSignal.timeout(5000),
        author: setup.author ?? { sub: 'user-1', scopes: ['test:write'] },
      },
      options,
    );
    return { outcome, sent: target.requests.slice(before), tokenRequests };
  };

  it('sends nothing to a target outside the policy, however the URL is spelled', async () => {
    for (const url of [
      'http://127.0.0.9:9/kline/steal',
      `http://localhost:8080/api/metrics`,
      `http://localhost:8080/test/../metrics`,
      'http://[::1]:9/x',
    ]) {
      const { outcome, sent, tokenRequests } = await run({ url, auth: { scope: 'test:write' } });
      expect(outcome, url).toMatchObject({
        kind: 'failed',
        retryable: false,
        error: /not an allowed target/,
      });
      expect(sent).toEqual([]);
      expect(tokenRequests).toEqual([]);
    }
  });

  it('refuses headers that would redirect or reframe the request, in any case', async () => {
    for (const name of ['Host', 'x-forwarded-for', 'Transfer-Encoding', 'Authorization']) {
      const { outcome, sent } = await run({ url: `${target.url}/h`, auth: 'none', headers: { [name]: 'x' } });
      expect(outcome, name).toMatchObject({
        kind: 'failed',
        error: `headers ${name} may not be set by a step`,
      });
      expect(sent).toEqual([]);
    }
    const fine = await run({
      url: `${target.url}/h`,
      auth: 'none',
      headers: { 'X-Trace': 't', Accept: 'text/plain' },
    });
    expect(fine.sent[0]?.headers).toMatchObject({ 'x-trace': 't', accept: 'text/plain' });
  });

  it('sends a token only to a resource server, with the audience of the target, never the author’s', async () => {
    const listed = { allowedOrigins: ['http://127.0.0.1:9'] };
    expect((await run({ url: 'http://127.0.0.1:9/x' }, { policy: listed })).outcome).toMatchObject({
      error: /a token is only sent to the platform's resource servers/,
    });
    const wrong = await run({ url: `${target.url}/t`, auth: { resource: 'http://localhost:8080/kline' } });
    expect(wrong.outcome).toMatchObject({ kind: 'failed', error: /is not the resource server/ });
    expect(wrong.sent).toEqual([]);
    const right = await run({ url: `${target.url}/t`, auth: { scope: 'test:write' } });
    expect(right.outcome.kind).toBe('succeeded');
    expect(right.tokenRequests).toEqual([{ resource: 'http://localhost:8080/test', scope: 'test:write' }]);
    expect(right.sent[0]?.headers.authorization).toBe('Bearer machine-token');
  });

  it('refuses a token its author did not hold, no longer holds, or cannot hold (disabled, unknown)', async () => {
    const step = { url: `${target.url}/t`, auth: { scope: 'test:write' } } as const;
    const cases: Array<[Parameters<typeof run>[1], RegExp]> = [
      [{ author: { sub: 'user-1', scopes: ['test:read'] } }, /author user-1 did not hold test:write/],
      [{ author: { sub: 'user-1', scopes: null } }, /records no author scopes; save it again/],
      [{ now: { active: true, scopes: ['test:read'] } }, /author user-1 no longer holds test:write/],
      [{ now: { active: false, scopes: [] } }, /author user-1 is disabled or deleted/],
      [{ now: null }, /author user-1 is disabled or deleted/],
    ];
    for (const [setup, error] of cases) {
      const { outcome, sent, tokenRequests } = await run(step, setup);
      expect(outcome).toMatchObject({ kind: 'failed', retryable: false, error });
      expect(sent).toEqual([]);
      expect(tokenRequests).toEqual([]);
    }
  });

  it('connects to the address it checked: the host name stays in the Host header', async () => {
    const port = new URL(target.url).port;
    const { outcome, sent } = await run(
      { url: `http://svc.example.test:${port}/pinned`, auth: 'none' },
      {
        policy: {
          allowedOrigins: [`http://svc.example.test:${port}`],
          resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        },
      },
    );
    expect(outcome.kind).toBe('succeeded');
    expect(sent[0]?.headers.host).toBe(`svc.example.test:${port}`);
    const wildcard = await run(
      { url: `http://svc.example.test:${port}/pinned`, auth: 'none' },
      {
        policy: {
          allowedOrigins: [`http://*.example.test:${port}`],
          resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        },
      },
    );
    expect(wildcard.outcome).toMatchObject({
      kind: 'failed',
      error: /resolves to 127\.0\.0\.1, a loopback address/,
    });
    expect(wildcard.sent).toEqual([]);
  });

  it('fails a step whose answer is larger than the cap, and keeps no partial body', async () => {
    target.respond('/big', () => ({ status: 200, body: { blob: 'x'.repeat(200_000) } }));
    const big = await run({ url: `${target.url}/big`, auth: 'none' }, { maxBodyBytes: 100_000 });
    expect(big.outcome).toEqual({
      kind: 'failed',
      retryable: false,
      error: expect.stringMatching(/response body exceeds 100000 bytes/),
    });
    target.respond('/small', () => ({ status: 200, body: { blob: 'x'.repeat(1000) } }));
    const small = await run({ url: `${target.url}/small`, auth: 'none' }, { maxBodyBytes: 100_000 });
    expect(small.outcome).toMatchObject({
      kind: 'succeeded',
      output: { status: 200, body: { blob: 'x'.repeat(1000) } },
    });
  });
});
