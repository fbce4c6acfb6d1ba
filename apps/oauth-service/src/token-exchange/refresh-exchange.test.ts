import { describeEachDialect } from '@platform/db/testing';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type AdminHarness,
  basic,
  bearer,
  type MachineClient,
  PASSWORD,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './exchange-rules.ts';

const FORM = 'application/x-www-form-urlencoded';
const HOST = new URL(PUBLIC_URL).host;
const TEST = `${PUBLIC_URL}/test`;
const KLINE = `${PUBLIC_URL}/kline`;
const FLOW = `${PUBLIC_URL}/flow`;

describeEachDialect('token exchange for a refresh token (RFC 8693)', (temp) => {
  let h: AdminHarness;
  let runner: MachineClient;
  let accessOnly: MachineClient;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  async function exchangeClient(name: string, scopes: string[]): Promise<MachineClient> {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/clients',
      headers: bearer(await h.clientToken()),
      payload: {
        name,
        type: 'confidential',
        grant_types: [TOKEN_EXCHANGE_GRANT, 'refresh_token'],
        scope: ['test:read', 'test:write', 'kline:read'],
        token_exchange: { audiences: [TEST, KLINE], scopes, delegation: true, impersonation: false },
      },
    });
    expect(response.statusCode, response.payload).toBe(201);
    return { clientId: response.json().client_id, secret: response.json().client_secret };
  }

  const tokenRequest = (client: MachineClient, form: Record<string, string>) =>
    h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(client.clientId, client.secret), 'content-type': FORM, host: HOST },
      payload: new URLSearchParams(form).toString(),
    });

  const exchangeForRefresh = (client: MachineClient, subjectToken: string) =>
    tokenRequest(client, {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: REFRESH_TOKEN_TYPE,
    });

  const refresh = (refreshToken: string, resource: string, scope: string) =>
    tokenRequest(runner, { grant_type: 'refresh_token', refresh_token: refreshToken, resource, scope });

  /** A user with `roles`, their flow token, and the refresh token the runner gets for it. */
  async function startedBy(login: string, roles: string[]) {
    const user = await h.createUser(login, roles);
    const { tokens } = await h.userTokens(
      { login, password: PASSWORD },
      { scope: 'openid offline_access flow:read', resource: FLOW },
    );
    const response = await exchangeForRefresh(runner, tokens.access_token);
    expect(response.statusCode, response.payload).toBe(200);
    return { user, flowRefresh: tokens.refresh_token!, body: response.json() };
  }

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    runner = await exchangeClient('refresh runner', [
      'test:read',
      'test:write',
      'kline:read',
      'offline_access',
    ]);
    accessOnly = await exchangeClient('access only', ['test:read']);
    jwks = createLocalJWKSet((await h.app.inject({ method: 'GET', url: '/oauth/jwks' })).json());
  });
  afterAll(() => h?.close());

  it('issues a refresh token only when the policy holds offline_access', async () => {
    await h.createUser('otto', ['operator']);
    const { tokens } = await h.userTokens(
      { login: 'otto', password: PASSWORD },
      { scope: 'openid flow:read', resource: FLOW },
    );
    const refused = await exchangeForRefresh(accessOnly, tokens.access_token);
    expect(refused.statusCode, refused.payload).toBe(400);
    expect(refused.json().error).toBe('unauthorized_client');
    const granted = await exchangeForRefresh(runner, tokens.access_token);
    expect(granted.statusCode, granted.payload).toBe(200);
    expect(granted.json()).toMatchObject({ issued_token_type: REFRESH_TOKEN_TYPE, token_type: 'N_A' });
    expect(granted.json().scope.split(' ').sort()).toEqual(['kline:read', 'test:read', 'test:write']);
    expect(granted.json().expires_in).toBeGreaterThan(3600);
    const [event] = await h.auditOf('token.exchange');
    expect(event?.details).toMatchObject({ issued_token_type: REFRESH_TOKEN_TYPE, mode: 'delegation' });
    expect(JSON.stringify(event)).not.toContain(granted.json().access_token);
  });

  it('refreshes to an access token for one audience that carries act, again and again', async () => {
    const { user, body } = await startedBy('rita', ['operator']);
    for (let i = 0; i < 2; i += 1) {
      const response = await refresh(body.access_token, TEST, 'test:write');
      expect(response.statusCode, response.payload).toBe(200);
      const { payload } = await jwtVerify(response.json().access_token, jwks, { issuer: PUBLIC_URL });
      expect(payload).toMatchObject({
        aud: TEST,
        sub: user.id,
        client_id: runner.clientId,
        scope: 'test:write',
        act: { sub: runner.clientId },
      });
      // The refresh token does not rotate: a run's concurrent steps share it.
      expect(response.json().refresh_token).toBe(body.access_token);
    }
    const kline = await refresh(body.access_token, KLINE, 'kline:read');
    expect(decodeJwt(kline.json().access_token)).toMatchObject({ aud: KLINE, act: { sub: runner.clientId } });
  });

  it("is capped by the user's current roles: a scope the user lost is invalid_scope", async () => {
    const { user, body } = await startedBy('carl', ['operator']);
    expect((await refresh(body.access_token, TEST, 'test:write')).statusCode).toBe(200);
    const operator = (await h.roles.findRoleByName('operator'))!;
    await h.roles.assignRole(user.id, (await h.roles.findRoleByName('user'))!.id);
    await h.roles.unassignRole(user.id, operator.id);
    const lost = await refresh(body.access_token, TEST, 'test:write');
    expect(lost.statusCode, lost.payload).toBe(400);
    expect(lost.json().error).toBe('invalid_scope');
    const kept = await refresh(body.access_token, TEST, 'test:read');
    expect(kept.statusCode, kept.payload).toBe(200);
  });

  it('never grants beyond the user at the exchange itself', async () => {
    const { body } = await startedBy('uma', ['user']);
    expect(body.scope.split(' ').sort()).toEqual(['kline:read', 'test:read']);
    expect((await refresh(body.access_token, TEST, 'test:write')).json().error).toBe('invalid_scope');
  });

  it("ends when the user's grants are revoked (sign out everywhere) or the account is disabled", async () => {
    const signedOut = await startedBy('sven', ['operator']);
    const revoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${signedOut.user.id}/grants`,
      headers: bearer(await h.clientToken()),
    });
    expect(revoke.statusCode, revoke.payload).toBe(200);
    const afterRevoke = await refresh(signedOut.body.access_token, TEST, 'test:read');
    expect(afterRevoke.json().error).toBe('invalid_grant');

    const disabled = await startedBy('dana', ['operator']);
    await h.users.disable(disabled.user.id);
    const afterDisable = await refresh(disabled.body.access_token, TEST, 'test:read');
    expect(afterDisable.json().error).toBe('invalid_grant');
  });

  it('ends when the client revokes it (RFC 7009), and never issues by impersonation', async () => {
    const { body } = await startedBy('rob', ['operator']);
    const revoked = await h.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { authorization: basic(runner.clientId, runner.secret), 'content-type': FORM },
      payload: new URLSearchParams({ token: body.access_token, token_type_hint: 'refresh_token' }).toString(),
    });
    expect(revoked.statusCode).toBe(200);
    expect((await refresh(body.access_token, TEST, 'test:read')).json().error).toBe('invalid_grant');
  });
});
