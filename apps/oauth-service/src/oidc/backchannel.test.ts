import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEachDialect } from '@platform/db/testing';
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type AccountHarness, CONSOLE, sidOf, startAccountHarness } from '../account/test-support.ts';
import { bearer, PORTAL, PUBLIC_URL } from '../admin/test-support.ts';
import { action, field } from '../mfa/sign-in-test-support.ts';

// OIDC Back-Channel Logout: every way a sign-in session ends here sends a logout token to each client of that
// session with a registered back-channel URI, here a real HTTP receiver on loopback. The token is verified as
// a console verifies it (signature by the JWKS, iss, aud, typ, events, sid, no nonce).

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Receiver {
  url: string;
  tokens: string[];
  /** What the receiver answers next; a delay in ms makes it slow. */
  reply: { status: number; delayMs: number };
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { tokens: [] as string[], reply: { status: 200, delayMs: 0 } } as Receiver;
  receiver.server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (request.headers['content-type'] === 'application/x-www-form-urlencoded' && token)
        receiver.tokens.push(token);
      const { status, delayMs } = receiver.reply;
      setTimeout(() => response.writeHead(status).end(), delayMs).unref();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  return receiver;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** An admin API request (`url` below /api/admin) with `headers`, `payload` as its JSON body. */
const adminRequest = (
  h: AccountHarness,
  headers: Record<string, string>,
  method: Method,
  url: string,
  payload?: object,
) => h.app.inject({ method, url: `/api/admin${url}`, headers, ...(payload ? { payload } : {}) });

describeEachDialect('back-channel logout: ending a session tells its clients', (temp) => {
  let h: AccountHarness;
  let receiver: Receiver;
  let admin: Record<string, string>;
  const adminCall = (method: Method, url: string, payload?: object) =>
    adminRequest(h, admin, method, url, payload);

  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startAccountHarness(temp().url);
    admin = bearer(await h.clientToken());
    for (const [clientId, path] of [
      [PORTAL.clientId, '/admin'],
      [CONSOLE.clientId, '/account'],
    ] as const) {
      const changed = await adminCall('PATCH', `/clients/${clientId}`, {
        backchannel_logout_uri: `${receiver.url}${path}/auth/backchannel-logout`,
      });
      expect(changed.statusCode).toBe(200);
    }
  });
  afterEach(() => {
    receiver.tokens.length = 0;
    receiver.reply = { status: 200, delayMs: 0 };
  });
  afterAll(async () => {
    await h?.close();
    receiver?.server.close();
  });

  /** The logout token verified like a console verifies it, for `audience`. */
  async function verified(token: string, audience: string): Promise<JWTPayload> {
    const jwks = (await h.app.inject({ method: 'GET', url: '/oauth/jwks' })).json();
    expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: PUBLIC_URL, audience });
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.jti).toEqual(expect.any(String));
    return payload;
  }

  /** A user signed in to the admin console (one sign-in session), with the session's sid. */
  async function inAdminConsole(username: string) {
    const user = await h.createUser(username, ['user']);
    const { tokens, browser } = await h.userTokens(
      { login: username, password: 'violet-harbor-lantern-9' },
      { scope: 'openid offline_access test:read', resource: `${PUBLIC_URL}/test` },
    );
    return { user, browser, idToken: String(tokens.id_token), sid: sidOf(String(tokens.id_token)) };
  }

  it('is announced in discovery', async () => {
    const discovery = (
      await h.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
    ).json();
    expect(discovery).toMatchObject({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it("an administrator's sign out of all of a user's sessions sends the console a logout token with the sid", async () => {
    const { user, sid } = await inAdminConsole('bcl-all-sessions');
    expect((await adminCall('DELETE', `/users/${user.id}/sessions`)).statusCode).toBe(200);
    expect(receiver.tokens).toHaveLength(1);
    expect(await verified(receiver.tokens[0]!, PORTAL.clientId)).toMatchObject({ sub: user.id, sid });
    const [audited] = await h.auditOf('session.backchannel_logout');
    expect(audited).toMatchObject({ outcome: 'success', clientId: PORTAL.clientId, targetId: user.id });
    expect(JSON.stringify(audited)).not.toContain(receiver.tokens[0]);
  });

  it('ending one session, "sign out everywhere" (grants) and disabling the account each send one', async () => {
    const one = await inAdminConsole('bcl-one-session');
    const listed = await adminCall('GET', `/users/${one.user.id}/sessions`);
    const sessionId = listed.json().items[0].id;
    expect((await adminCall('DELETE', `/users/${one.user.id}/sessions/${sessionId}`)).statusCode).toBe(200);
    const everywhere = await inAdminConsole('bcl-everywhere');
    expect((await adminCall('DELETE', `/users/${everywhere.user.id}/grants`)).statusCode).toBe(200);
    const disabled = await inAdminConsole('bcl-disabled');
    expect((await adminCall('POST', `/users/${disabled.user.id}/disable`)).statusCode).toBe(200);
    const received = await Promise.all(receiver.tokens.map((token) => verified(token, PORTAL.clientId)));
    expect(received.map(({ sub, sid }) => ({ sub, sid }))).toEqual([
      { sub: one.user.id, sid: one.sid },
      { sub: everywhere.user.id, sid: everywhere.sid },
      { sub: disabled.user.id, sid: disabled.sid },
    ]);
  });

  it("an administrator's password reset and deleting the account send one each", async () => {
    const reset = await inAdminConsole('bcl-reset');
    const answer = await adminCall('POST', `/users/${reset.user.id}/password`, {
      password: 'quiet-orchard-lantern-83',
    });
    expect(answer.statusCode).toBe(204);
    const deleted = await inAdminConsole('bcl-deleted');
    expect((await adminCall('DELETE', `/users/${deleted.user.id}`)).statusCode).toBe(204);
    const received = await Promise.all(receiver.tokens.map((token) => verified(token, PORTAL.clientId)));
    expect(received.map(({ sub, sid }) => ({ sub, sid }))).toEqual([
      { sub: reset.user.id, sid: reset.sid },
      { sub: deleted.user.id, sid: deleted.sid },
    ]);
  });

  it('the account console\'s "end this session" and "sign out everywhere else" send one per session', async () => {
    const { auth } = await h.signedInUser('bcl-account');
    const other = await h.consoleTokens('bcl-account');
    const third = await h.consoleTokens('bcl-account');
    const seenByOther = (await h.call('GET', '/sessions', other.auth)).json();
    const otherSession = seenByOther.find((session: { current: boolean }) => session.current).id;
    expect((await h.call('DELETE', `/sessions/${otherSession}`, auth)).statusCode).toBe(204);
    expect((await h.call('DELETE', '/sessions', auth)).statusCode).toBe(204);
    const received = await Promise.all(receiver.tokens.map((token) => verified(token, CONSOLE.clientId)));
    expect(received.map(({ sid }) => sid)).toEqual([
      sidOf(other.tokens.id_token),
      sidOf(third.tokens.id_token),
    ]);
  });

  it('a sign-out at the end-session endpoint (RP-initiated) sends one too', async () => {
    const { user, browser, idToken, sid } = await inAdminConsole('bcl-rp-logout');
    const page = await browser.request(
      'GET',
      `/oauth/end_session?${new URLSearchParams({ id_token_hint: idToken })}`,
    );
    const done = await browser.request('POST', action(page.payload, 'confirm'), {
      xsrf: field(page.payload, 'xsrf'),
      logout: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect(receiver.tokens).toHaveLength(1);
    expect(await verified(receiver.tokens[0]!, PORTAL.clientId)).toMatchObject({ sub: user.id, sid });
  });

  it('a failing receiver is audited as a failure; a slow one delays the action by the timeout at most', async () => {
    receiver.reply = { status: 500, delayMs: 0 };
    const failing = await inAdminConsole('bcl-failing');
    expect((await adminCall('DELETE', `/users/${failing.user.id}/sessions`)).statusCode).toBe(200);
    const [audited] = await h.auditOf('session.backchannel_logout');
    expect(audited).toMatchObject({ outcome: 'failure', targetId: failing.user.id });
    expect(String(audited?.details.error)).toContain('500');

    receiver.reply = { status: 200, delayMs: 10_000 };
    const slow = await inAdminConsole('bcl-slow');
    const started = Date.now();
    expect((await adminCall('DELETE', `/users/${slow.user.id}/sessions`)).statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(4_000);
    const [timedOut] = await h.auditOf('session.backchannel_logout');
    expect(timedOut).toMatchObject({ outcome: 'failure', targetId: slow.user.id });
  });
});

describeEachDialect('back-channel logout URI in the admin API', (temp) => {
  let h: AccountHarness;
  let admin: Record<string, string>;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
    admin = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  const patch = (payload: object) => adminRequest(h, admin, 'PATCH', `/clients/${PORTAL.clientId}`, payload);

  it('is seeded for both consoles under their URLs', async () => {
    for (const [clientId, base] of [
      [PORTAL.clientId, 'http://127.0.0.1:9/admin'],
      [CONSOLE.clientId, 'http://127.0.0.1:9/account'],
    ] as const) {
      const client = await adminRequest(h, admin, 'GET', `/clients/${clientId}`);
      expect(client.json().backchannel_logout_uri).toBe(`${base}/auth/backchannel-logout`);
    }
  });

  it('refuses http off loopback, a fragment, another scheme; accepts https and null', async () => {
    for (const uri of [
      'http://console.example.test/bcl',
      'https://console.example.test/bcl#x',
      'ftp://x.test/',
    ]) {
      const refused = await patch({ backchannel_logout_uri: uri });
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json().errors[0].path).toBe('/backchannel_logout_uri');
    }
    const https = await patch({
      backchannel_logout_uri: 'https://console.example.test/admin/auth/backchannel-logout',
    });
    expect(https.json().backchannel_logout_uri).toBe(
      'https://console.example.test/admin/auth/backchannel-logout',
    );
    const removed = await patch({ backchannel_logout_uri: null });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().backchannel_logout_uri).toBeNull();
  });
});
