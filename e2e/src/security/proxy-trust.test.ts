// The trusted-proxy boundary: forwarding headers (X-Forwarded-For/-Proto/-Host) are believed only from
// TRUSTED_PROXIES, the issuer's URLs come from PUBLIC_URL whatever Host a request names, audit rows carry the
// real client address, and one client's sign-in flood through the gateway limits that client, not everyone.
import { createDatabase } from '@platform/db';
import { createTempDatabase, describeEachDialect, type TempDatabase } from '@platform/db/testing';
import { freePort } from '@platform/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type OAuthServer, PORTAL_REDIRECT, startOAuthServer } from '../oauth/harness.ts';
import { type Gateway, startGateway } from '../ops/gateway.ts';
import { LocalBrowser, type LocalResponse, postSignIn, send } from './local-client.ts';

const FORGED = { host: 'evil.test', ip: '6.6.6.6' };
const IP_LIMIT = 5;

/** Every string in a JSON document that looks like an absolute URL. */
function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(urlsIn);
  return [];
}

function expectAllUnder(origin: string, urls: string[], atLeast = 6) {
  expect(urls.length).toBeGreaterThanOrEqual(atLeast);
  expect(urls.filter((url) => !url.startsWith(`${origin}/`) && url !== origin)).toEqual([]);
}

async function discovery(origin: string, headers: Record<string, string>, localAddress = '127.0.0.2') {
  const response = await send(`${origin}/.well-known/openid-configuration`, { headers, localAddress });
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** An authorization request of the seeded admin portal at `issuer`. */
async function authorizationUrl(issuer: string): Promise<string> {
  const challenge = await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier());
  const query = new URLSearchParams({
    client_id: 'admin-portal',
    response_type: 'code',
    redirect_uri: PORTAL_REDIRECT,
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: client.randomState(),
  });
  return `${issuer}/oauth/authorize?${query}`;
}

/** Opens a sign-in page at `issuer` from `browser`; fails unless it is the sign-in form. */
async function signInPage(browser: LocalBrowser, issuer: string) {
  const page = await browser.open(await authorizationUrl(issuer));
  expect(page.status, page.body.slice(0, 300)).toBe(200);
  expect(page.body).toContain('/login"');
  return page;
}

const isSignedIn = (response: LocalResponse) =>
  response.status === 303 && /\/oauth\/authorize\//.test(response.location ?? '');

describe('through the gateway', () => {
  let database: TempDatabase;
  let gateway: Gateway;
  let server: OAuthServer;
  let issuer: string;
  let audit: ReturnType<typeof auditReader>;

  beforeAll(async () => {
    database = await createTempDatabase('sqlite');
    const gatewayPort = await freePort();
    issuer = `http://127.0.0.1:${gatewayPort}`;
    // Default TRUSTED_PROXIES (loopback): the gateway, on 127.0.0.1, is a trusted proxy.
    server = await startOAuthServer(database.url, {
      issuer,
      env: { LOGIN_IP_LIMIT_PER_MINUTE: String(IP_LIMIT) },
    });
    gateway = await startGateway({ UPSTREAM_OAUTH_1: `127.0.0.1:${server.service.port}` }, gatewayPort);
    audit = auditReader(database.url);
  });

  afterAll(async () => {
    await audit?.close();
    await gateway?.stop();
    await server?.stop();
    await database?.drop();
  });

  it.each([
    ['no forwarding header', {}],
    ['Host: evil.test', { host: FORGED.host }],
    ['X-Forwarded-Host: evil.test', { 'x-forwarded-host': FORGED.host }],
    ['X-Forwarded-Proto: https', { 'x-forwarded-proto': 'https' }],
    ['Forwarded: host=evil.test', { forwarded: `host=${FORGED.host};proto=https` }],
  ])('names only PUBLIC_URL endpoints in discovery with %s', async (_label, headers) => {
    const metadata = await discovery(issuer, headers);
    expect(metadata.issuer).toBe(issuer);
    expectAllUnder(issuer, urlsIn(metadata));
  });

  it('sends a forged-Host authorization request to PUBLIC_URL interaction pages', async () => {
    const response = await send(await authorizationUrl(issuer), {
      headers: { host: FORGED.host, 'x-forwarded-host': FORGED.host },
      localAddress: '127.0.0.2',
    });
    expect(response.status).toBe(303);
    expect(response.location).toMatch(new RegExp(`^${issuer}/interaction/`));
  });

  it('gives a forged-Host device authorization a PUBLIC_URL verification URI', async () => {
    const response = await send(`${issuer}/oauth/device/auth`, {
      method: 'POST',
      localAddress: '127.0.0.2',
      headers: { host: FORGED.host, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'platform-cli', scope: 'openid' }).toString(),
    });
    expect(response.status, response.body).toBe(200);
    const device = JSON.parse(response.body) as Record<string, unknown>;
    expect(device.verification_uri).toBe(`${issuer}/oauth/device`);
    expectAllUnder(issuer, urlsIn(device), 2);
  });

  it('audits a token request with the client address the gateway saw, not a forged X-Forwarded-For', async () => {
    const requestId = `proxy-trust-gateway-${Date.now()}`;
    const response = await tokenRequest(server, issuer, '127.0.0.2', requestId);
    expect(response.status, response.body).toBe(200);
    expect(await audit.ipOf(requestId, 'token.issue')).toBe('127.0.0.2');
  });

  it('limits a sign-in flood to the flooding address; another address still signs in', async () => {
    const flooder = new LocalBrowser('127.0.0.2');
    let page = await signInPage(flooder, issuer);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt += 1) {
      // A new forged X-Forwarded-For each time does not make the flooder look like someone else.
      const answer = await postSignIn(
        flooder,
        page,
        { login: 'nobody-here', password: 'wrong-password-1' },
        { 'x-forwarded-for': `198.51.100.${attempt}` },
      );
      statuses.push(answer.status);
      page = { ...answer, url: page.url };
    }
    // The flooder is limited: its last attempts are refused as too many.
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    expect(page.body).toContain('Too many sign-in attempts');

    const user = new LocalBrowser('127.0.0.3');
    const answer = await postSignIn(user, await signInPage(user, issuer), ADMIN);
    expect(answer.body).not.toContain('Too many sign-in attempts');
    expect(isSignedIn(answer), `${answer.status} ${answer.body.slice(0, 300)}`).toBe(true);

    // And 127.0.0.2 is still limited, even with the right password.
    const again = await postSignIn(flooder, await signInPage(flooder, issuer), ADMIN);
    expect(again.status).toBe(429);
  });
});

describeEachDialect('directly at oauth-service, TRUSTED_PROXIES=127.0.0.1/32', (temp) => {
  let server: OAuthServer;
  let audit: ReturnType<typeof auditReader>;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url, { env: { TRUSTED_PROXIES: '127.0.0.1/32' } });
    audit = auditReader(temp().url);
  });
  afterAll(async () => {
    await server?.stop();
    await audit?.close();
  });

  it.each([
    ['an untrusted peer (127.0.0.2)', '127.0.0.2'],
    ['a trusted proxy (127.0.0.1)', '127.0.0.1'],
  ])('names only PUBLIC_URL endpoints in discovery for forged Host headers from %s', async (_l, from) => {
    const headers = { host: FORGED.host, 'x-forwarded-host': FORGED.host, 'x-forwarded-proto': 'https' };
    const metadata = await discovery(server.issuer, headers, from);
    expect(metadata.issuer).toBe(server.issuer);
    expectAllUnder(server.issuer, urlsIn(metadata));
  });

  it('audits a failed sign-in from an untrusted peer with its socket address, not its X-Forwarded-For', async () => {
    const browser = new LocalBrowser('127.0.0.2', { 'x-forwarded-for': FORGED.ip });
    const page = await signInPage(browser, server.issuer);
    const requestId = `proxy-trust-login-${Date.now()}`;
    const answer = await postSignIn(
      browser,
      page,
      { login: 'no-such-user', password: 'wrong-password-1' },
      { 'x-request-id': requestId },
    );
    expect(answer.status).toBe(200);
    expect(await audit.ipOf(requestId, 'login.failure')).toBe('127.0.0.2');
  });

  it.each([
    ['an untrusted peer keeps its socket address', '127.0.0.2', '127.0.0.2'],
    ['a trusted proxy is believed', '127.0.0.1', FORGED.ip],
  ])('audits a token request with X-Forwarded-For: %s', async (_label, from, expected) => {
    const requestId = `proxy-trust-token-${from}-${Date.now()}`;
    const response = await tokenRequest(server, server.issuer, from, requestId);
    expect(response.status, response.body).toBe(200);
    expect(await audit.ipOf(requestId, 'token.issue')).toBe(expected);
  });
});

/** A client_credentials request of the seeded machine client at `origin`, with a forged X-Forwarded-For. */
function tokenRequest(server: OAuthServer, origin: string, from: string, requestId: string) {
  return send(`${origin}/oauth/token`, {
    method: 'POST',
    localAddress: from,
    headers: {
      authorization: `Basic ${Buffer.from(`flow-service:${server.machineSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': FORGED.ip,
      'x-request-id': requestId,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: `${origin}/test`,
      scope: 'test:read',
    }).toString(),
  });
}

/** Reads audit rows straight from the service's database; rows are written in short batches, so it waits. */
function auditReader(url: string) {
  const database = createDatabase<{
    audit_log: { ip: string | null; request_id: string | null; action: string };
  }>(url);
  return {
    async ipOf(requestId: string, action: string): Promise<string | null | undefined> {
      for (let tries = 0; tries < 50; tries += 1) {
        const row = await database.db
          .selectFrom('audit_log')
          .select('ip')
          .where('request_id', '=', requestId)
          .where('action', '=', action)
          .executeTakeFirst();
        if (row) return row.ip;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no ${action} audit row for request ${requestId}`);
    },
    close: () => database.close(),
  };
}
