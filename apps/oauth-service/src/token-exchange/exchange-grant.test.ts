import { hash, randomUUID } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN,
  type AdminHarness,
  basic,
  bearer,
  type MachineClient,
  PASSWORD,
  PORTAL,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './exchange-rules.ts';

const FORM = 'application/x-www-form-urlencoded';
const HOST = new URL(PUBLIC_URL).host;
const TEST = `${PUBLIC_URL}/test`;
const FLOW = `${PUBLIC_URL}/flow`;
const KLINE = `${PUBLIC_URL}/kline`;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

async function dpopProof(keys: KeyPair): Promise<string> {
  return new SignJWT({ htm: 'POST', htu: `${PUBLIC_URL}/oauth/token`, jti: randomUUID() })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(keys.publicKey) })
    .setIssuedAt()
    .sign(keys.privateKey);
}

describeEachDialect('token exchange (RFC 8693)', (temp) => {
  let h: AdminHarness;
  let delegator: MachineClient;
  let relay: MachineClient;
  let impersonator: MachineClient;
  let withoutPolicy: MachineClient;
  let adminFlowToken: string;
  let adminRefreshToken: string;
  let userFlowToken: string;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  /** Creates a confidential client with the grant type and `policy`, through the admin API. */
  async function exchangeClient(name: string, policy: object | null): Promise<MachineClient> {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/clients',
      headers: bearer(await h.clientToken()),
      payload: { name, type: 'confidential', grant_types: [TOKEN_EXCHANGE_GRANT], token_exchange: policy },
    });
    expect(response.statusCode, response.payload).toBe(201);
    return { clientId: response.json().client_id, secret: response.json().client_secret };
  }

  const policy = (overrides: object = {}) => ({
    audiences: [TEST],
    scopes: ['test:read', 'test:write'],
    delegation: true,
    impersonation: false,
    ...overrides,
  });

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    delegator = await exchangeClient('exchange delegator', policy());
    relay = await exchangeClient('exchange relay', policy({ scopes: ['test:read'] }));
    impersonator = await exchangeClient(
      'exchange impersonator',
      policy({ scopes: ['test:read'], delegation: false, impersonation: true }),
    );
    withoutPolicy = await exchangeClient('exchange without policy', null);
    const admin = await h.userTokens(ADMIN, { scope: 'openid offline_access flow:read', resource: FLOW });
    adminFlowToken = admin.tokens.access_token;
    adminRefreshToken = admin.tokens.refresh_token!;
    await h.createUser('ursula', ['user']);
    const user = await h.userTokens(
      { login: 'ursula', password: PASSWORD },
      { scope: 'openid flow:read', resource: FLOW },
    );
    userFlowToken = user.tokens.access_token;
    jwks = createLocalJWKSet((await h.app.inject({ method: 'GET', url: '/oauth/jwks' })).json());
  });
  afterAll(() => h?.close());

  function exchange(
    client: MachineClient,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ) {
    return h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(client.clientId, client.secret),
        'content-type': FORM,
        host: HOST,
        ...headers,
      },
      payload: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token_type: ACCESS_TOKEN_TYPE,
        ...form,
      }).toString(),
    });
  }

  async function exchanged(client: MachineClient, form: Record<string, string>) {
    const response = await exchange(client, form);
    expect(response.statusCode, response.payload).toBe(200);
    const { payload } = await jwtVerify(response.json().access_token, jwks, {
      issuer: PUBLIC_URL,
      typ: 'at+jwt',
    });
    return { body: response.json(), claims: payload as JWTPayload & Record<string, unknown> };
  }

  const refusal = async (response: Awaited<ReturnType<typeof exchange>>) => {
    expect(response.statusCode, response.payload).toBe(400);
    return response.json().error as string;
  };

  it('is listed in discovery', async () => {
    const discovery = await h.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.json().grant_types_supported).toContain(TOKEN_EXCHANGE_GRANT);
  });

  it('delegates: the user stays `sub`, the client is `act`, on the user grant, no longer than the subject', async () => {
    const { body, claims } = await exchanged(delegator, {
      subject_token: adminFlowToken,
      resource: TEST,
      scope: 'test:write',
    });
    const subject = decodeJwt(adminFlowToken);
    expect(body).toMatchObject({
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      scope: 'test:write',
    });
    expect(body).not.toHaveProperty('refresh_token');
    expect(claims).toMatchObject({
      aud: TEST,
      sub: subject.sub,
      client_id: delegator.clientId,
      scope: 'test:write',
      act: { sub: delegator.clientId },
      grant_id: subject.grant_id,
      grant_client_id: PORTAL.clientId,
      preferred_username: ADMIN.login,
    });
    expect(claims.exp!).toBeLessThanOrEqual(subject.exp!);
    const [event] = await h.auditOf('token.exchange');
    expect(event).toMatchObject({
      actorType: 'client',
      actorId: delegator.clientId,
      outcome: 'success',
      targetType: 'user',
      targetId: subject.sub,
      details: {
        mode: 'delegation',
        audience: TEST,
        scope: 'test:write',
        subject_client_id: PORTAL.clientId,
      },
    });
    expect(JSON.stringify(event)).not.toContain(adminFlowToken.slice(-20));
  });

  it('nests the prior actor when a delegated token is exchanged again; `audience` may name the server', async () => {
    const first = await exchanged(delegator, {
      subject_token: adminFlowToken,
      resource: TEST,
      scope: 'test:read',
    });
    const { claims } = await exchanged(relay, { subject_token: first.body.access_token, audience: 'test' });
    expect(claims).toMatchObject({
      sub: first.claims.sub,
      act: { sub: relay.clientId, act: { sub: delegator.clientId } },
    });
    // Impersonating a delegated token would drop its actors.
    const laundered = await exchange(impersonator, {
      subject_token: first.body.access_token,
      resource: TEST,
      exchange_mode: 'impersonation',
    });
    expect(await refusal(laundered)).toBe('invalid_request');
  });

  it('impersonates only when the policy allows it, and only when asked', async () => {
    const { claims } = await exchanged(impersonator, {
      subject_token: adminFlowToken,
      resource: TEST,
      exchange_mode: 'impersonation',
    });
    expect(claims).not.toHaveProperty('act');
    expect(claims).toMatchObject({ sub: decodeJwt(adminFlowToken).sub, client_id: impersonator.clientId });
    const asked = { subject_token: adminFlowToken, resource: TEST };
    expect(await refusal(await exchange(delegator, { ...asked, exchange_mode: 'impersonation' }))).toBe(
      'unauthorized_client',
    );
    expect(await refusal(await exchange(impersonator, asked))).toBe('unauthorized_client');
    expect(await refusal(await exchange(delegator, { ...asked, exchange_mode: 'both' }))).toBe(
      'invalid_request',
    );
  });

  it('grants no scope beyond the user, the policy or the audience: invalid_scope', async () => {
    const user = { subject_token: userFlowToken, resource: TEST };
    expect(await refusal(await exchange(delegator, { ...user, scope: 'test:write' }))).toBe('invalid_scope');
    // Without `scope`: what the user, the policy and the audience all allow.
    expect((await exchanged(delegator, user)).body.scope).toBe('test:read');
    const admin = { subject_token: adminFlowToken, resource: TEST };
    expect(await refusal(await exchange(relay, { ...admin, scope: 'test:write' }))).toBe('invalid_scope');
    expect(await refusal(await exchange(delegator, { ...admin, scope: 'kline:read' }))).toBe('invalid_scope');
  });

  it('issues tokens only for the policy audience, one per exchange: invalid_target', async () => {
    const subject = { subject_token: adminFlowToken };
    const targets: Array<Record<string, string>> = [
      { resource: KLINE },
      { resource: `${PUBLIC_URL}/nowhere` },
      { audience: 'kline' },
      {},
    ];
    for (const target of targets) {
      expect(await refusal(await exchange(delegator, { ...subject, ...target }))).toBe('invalid_target');
    }
    const both = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    both.set('subject_token', adminFlowToken);
    both.append('resource', TEST);
    both.append('resource', KLINE);
    const twice = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(delegator.clientId, delegator.secret), 'content-type': FORM },
      payload: both.toString(),
    });
    expect(await refusal(twice)).toBe('invalid_target');
  });

  it('refuses malformed requests and dead, forged or machine subject tokens: invalid_request', async () => {
    const target = { resource: TEST };
    const cases: Array<Record<string, string>> = [
      { ...target },
      {
        ...target,
        subject_token: adminFlowToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      },
      {
        ...target,
        subject_token: adminFlowToken,
        requested_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      },
      {
        ...target,
        subject_token: adminFlowToken,
        actor_token: adminFlowToken,
        actor_token_type: ACCESS_TOKEN_TYPE,
      },
      { ...target, subject_token: 'not-a-token' },
      { ...target, subject_token: `${adminFlowToken.slice(0, -4)}AAAA` },
      { ...target, subject_token: await h.clientToken('test:read', h.machine, TEST) },
    ];
    for (const form of cases)
      expect(await refusal(await exchange(delegator, form)), JSON.stringify(form)).toBe('invalid_request');
    const failures = (await h.auditOf('token.exchange')).filter((e) => e.outcome === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(cases.length);
  });

  it('refuses an expired subject token: invalid_request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3_600_000);
      const response = await exchange(delegator, { subject_token: adminFlowToken, resource: TEST });
      expect(await refusal(response)).toBe('invalid_request');
    } finally {
      vi.useRealTimers();
    }
  });

  /** The value of oauth_grant_errors_total for token exchange refusals with `error`. */
  async function exchangeErrors(error: string): Promise<number> {
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).payload;
    const series = `oauth_grant_errors_total{grant_type="${TOKEN_EXCHANGE_GRANT}",error="${error}"}`;
    const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  it('refuses a client without the grant type or without a policy: unauthorized_client', async () => {
    const form = { subject_token: adminFlowToken, resource: TEST };
    const before = {
      unauthorized: await exchangeErrors('unauthorized_client'),
      invalid: await exchangeErrors('invalid_request'),
    };
    expect(await refusal(await exchange(h.machine, form))).toBe('unauthorized_client');
    // The metric names the refusal as the client received it.
    expect(await exchangeErrors('unauthorized_client')).toBe(before.unauthorized + 1);
    expect(await exchangeErrors('invalid_request')).toBe(before.invalid);
    expect(await refusal(await exchange(withoutPolicy, form))).toBe('unauthorized_client');
    const refused = (await h.auditOf('token.exchange')).filter(
      (e) => e.details.error === 'unauthorized_client',
    );
    expect(refused.map((e) => e.actorId)).toEqual(
      expect.arrayContaining([h.machine.clientId, withoutPolicy.clientId]),
    );
  });

  describe('a DPoP-bound subject token', () => {
    let boundToken: string;
    let keys: KeyPair;

    beforeAll(async () => {
      keys = await generateKeyPair('ES256', { extractable: true });
      const refreshed = await h.refresh(adminRefreshToken, {
        headers: { host: HOST, dpop: await dpopProof(await generateKeyPair('ES256')) },
      });
      expect(refreshed.statusCode, refreshed.payload).toBe(200);
      boundToken = refreshed.json().access_token;
      adminRefreshToken = refreshed.json().refresh_token;
      expect(decodeJwt(boundToken).cnf).toBeDefined();
    });

    it('is exchanged only with a proof, for a token bound to the exchanging client key', async () => {
      const form = { subject_token: boundToken, resource: TEST, scope: 'test:read' };
      expect(await refusal(await exchange(delegator, form))).toBe('invalid_request');
      const response = await exchange(delegator, form, { dpop: await dpopProof(keys) });
      expect(response.statusCode, response.payload).toBe(200);
      expect(response.json().token_type).toBe('DPoP');
      const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey));
      expect(decodeJwt(response.json().access_token).cnf).toEqual({ jkt });
    });
  });

  it('ends with the user grant: a revoked subject token and the tokens derived from it are refused', async () => {
    const derived = await exchanged(delegator, {
      subject_token: adminFlowToken,
      resource: TEST,
      scope: 'test:read',
    });
    const introspect = async () =>
      (
        await h.app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          headers: { authorization: basic(relay.clientId, relay.secret), 'content-type': FORM },
          payload: new URLSearchParams({ token: derived.body.access_token }).toString(),
        })
      ).json();
    expect(await introspect()).toMatchObject({
      active: true,
      sub: derived.claims.sub,
      client_id: delegator.clientId,
      act: { sub: delegator.clientId },
    });
    const revoke = await h.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { authorization: basic(PORTAL.clientId, PORTAL.secret), 'content-type': FORM },
      payload: new URLSearchParams({ token: adminRefreshToken, token_type_hint: 'refresh_token' }).toString(),
    });
    expect(revoke.statusCode).toBe(200);
    expect(await introspect()).toEqual({ active: false });
    for (const subject of [adminFlowToken, derived.body.access_token]) {
      const response = await exchange(relay, { subject_token: subject, resource: TEST });
      expect(await refusal(response)).toBe('invalid_request');
    }
  });

  it('refuses the tokens of a disabled user', async () => {
    const user = await h.createUser('dora', ['user']);
    const { tokens } = await h.userTokens(
      { login: 'dora', password: PASSWORD },
      { scope: 'openid flow:read', resource: FLOW },
    );
    await h.users.disable(user.id);
    expect(
      await refusal(await exchange(delegator, { subject_token: tokens.access_token, resource: TEST })),
    ).toBe('invalid_request');
  });

  it('never shows a token in the audit log', async () => {
    const events = JSON.stringify(await h.auditOf('token.exchange'));
    expect(events).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(events).not.toContain(hash('sha256', adminFlowToken, 'hex'));
  });
});
