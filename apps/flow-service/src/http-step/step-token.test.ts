import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ActingUser } from '../acting-user/acting-users.repository.ts';
import { actingUserOf } from '../acting-user/from-request.ts';
import { createTokenSeal } from '../acting-user/token-seal.ts';
import { stepTokenRequest } from './step-token.ts';
import { createTokenClient, type TokenClient } from './token-client.ts';

// The token a step of a run started by a user may ask for, and what flow-service keeps of that user's token.

const tokens: TokenClient = {
  token: async () => 'never',
  invalidate() {},
  requests: () => 0,
  refreshTokenFor: async () => null,
  revoke: async () => {},
};
const author = { sub: 'author', scopes: ['test:write'] };
const NOW = Date.parse('2026-01-01T00:00:00Z');

const requestFor = (user: ActingUser | null) =>
  stepTokenRequest(
    ['test:write'],
    'http://localhost:8080/test',
    { runId: 'r', author },
    {
      tokens,
      authority: { current: async () => ({ active: false, scopes: [] }) },
      actingUsers: { forRun: async () => user, release: async () => {} },
      now: () => NOW,
    },
  );

describe('the token of the user a run acts for', () => {
  it('asks for an exchange of the user’s token, not for the author’s authority', async () => {
    expect(
      await requestFor({ sub: 'u', expiresAt: NOW + 1000, token: 'user-token', kind: 'access_token' }),
    ).toEqual({
      resource: 'http://localhost:8080/test',
      scope: 'test:write',
      subjectToken: 'user-token',
    });
  });

  it('fails, without falling back, for an expired, DPoP-bound or unreadable token', async () => {
    const cases: Array<[ActingUser, RegExp]> = [
      [
        { sub: 'u', expiresAt: NOW, token: 'user-token', kind: 'access_token' },
        /^the token of u, who started this run, expired at 2026-01-01T00:00:00.000Z/,
      ],
      [
        { sub: 'u', expiresAt: NOW + 1000, token: null, missing: 'dpop_bound' },
        /started with a DPoP-bound token, which flow-service does not keep/,
      ],
      [
        { sub: 'u', expiresAt: NOW + 1000, token: null, missing: 'unreadable' },
        /cannot be read \(flow-service's client secret changed\)/,
      ],
    ];
    for (const [user, error] of cases)
      expect(await requestFor(user)).toEqual({
        kind: 'failed',
        retryable: false,
        error: expect.stringMatching(error),
      });
  });

  it('still refuses a scope the definition’s author did not hold', async () => {
    const outcome = await stepTokenRequest(
      ['kline:write'],
      'http://localhost:8080/kline',
      { runId: 'r', author },
      {
        tokens,
        authority: null,
        actingUsers: {
          forRun: async () => ({ sub: 'u', expiresAt: NOW + 1000, token: 't', kind: 'access_token' }),
          release: async () => {},
        },
        now: () => NOW,
      },
    );
    expect(outcome).toMatchObject({ kind: 'failed', error: /author author did not hold kline:write/ });
  });

  it('refreshes the run’s refresh token for the step when the run keeps one', async () => {
    expect(
      await requestFor({ sub: 'u', expiresAt: NOW + 1000, token: 'run-refresh', kind: 'refresh_token' }),
    ).toEqual({ resource: 'http://localhost:8080/test', scope: 'test:write', refreshToken: 'run-refresh' });
    expect(
      await requestFor({ sub: 'u', expiresAt: NOW, token: 'run-refresh', kind: 'refresh_token' }),
    ).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/^the refresh token of u, who started this run, expired/),
    });
  });

  it('keeps a Bearer token sealed and a DPoP-bound token not at all', async () => {
    const seal = createTokenSeal('flow-client-secret-for-tests-0123456789');
    const request = (jkt: string | null, scheme: string) =>
      ({
        token: { sub: 'u', exp: 2_000_000_000, jkt },
        headers: { authorization: `${scheme} header.payload.signature` },
      }) as unknown as FastifyRequest;
    const keeper = { seal, tokens };
    const bearer = await actingUserOf(request(null, 'Bearer'), keeper);
    expect(bearer).toMatchObject({ sub: 'u', expiresAt: 2_000_000_000_000 });
    expect(bearer?.sealedToken).not.toContain('payload');
    expect(seal.open(bearer!.sealedToken!)).toBe('header.payload.signature');
    expect(createTokenSeal('another-secret-another-secret-0123456').open(bearer!.sealedToken!)).toBeNull();
    expect(await actingUserOf(request('x'.repeat(43), 'DPoP'), keeper)).toEqual({
      sub: 'u',
      sealedToken: null,
      expiresAt: 2_000_000_000_000,
    });
    expect(await actingUserOf(request(null, 'Bearer'), { seal: null, tokens })).toBeNull();
  });

  it('exchanges the user’s token at every step: a role the user lost counts at once', async () => {
    const grants: string[] = [];
    const client = createTokenClient({
      tokenUrl: 'http://oauth.invalid/oauth/token',
      clientId: 'flow-service',
      clientSecret: 'flow-client-secret-for-tests-0123456789',
      fetch: async (_url, init) => {
        grants.push(String(new URLSearchParams(String(init?.body)).get('grant_type')));
        return Response.json({ access_token: `t${grants.length}`, expires_in: 300 });
      },
    });
    const exchange = { resource: 'r', scope: 's', subjectToken: 'user-token' };
    expect([await client.token(exchange), await client.token(exchange)]).toEqual(['t1', 't2']);
    expect(await client.token({ resource: 'r', scope: 's' })).toBe('t3');
    expect(await client.token({ resource: 'r', scope: 's' })).toBe('t3');
    expect(grants).toEqual([
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'client_credentials',
    ]);
  });
});
