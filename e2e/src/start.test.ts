// System test of the first README command: the platform started as a user starts it, checked from outside
// over HTTP, then stopped with Ctrl-C. Runs once per database dialect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { acquireFixedPorts } from './fixed-ports-lock.ts';
import { json } from './json.ts';
import { type PlatformProcess, startPlatform } from './platform-process.ts';

const TEST_SERVICE = 'http://127.0.0.1:3005';
const OAUTH = 'http://127.0.0.1:3001';
const GATEWAY = 'http://localhost:8080';
// The default public origin: the gateway (issuer and resource identifiers derive from it).
const PUBLIC_URL = 'http://localhost:8080';

/** The gateway marks upstreams healthy after its first health check; wait for a route to answer. */
async function throughGateway(path: string, init?: RequestInit): Promise<Response> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${GATEWAY}${path}`, init);
    if ((res.status !== 502 && res.status !== 503) || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A client_credentials token from the platform's own oauth-service, for the seeded machine client. */
async function machineToken(secret: string, resource: string, scope: string): Promise<string> {
  const res = await throughGateway('/oauth/token', {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`flow-service:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: `${PUBLIC_URL}${resource}`,
      scope,
    }),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return (await json(res)).access_token;
}

describeEachDialect('bash scripts/start.sh', (temp) => {
  let machineSecret: string;
  let oauthDb: TempDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string>;
  let platform: PlatformProcess;
  let releasePorts: (() => void) | undefined;

  beforeAll(async () => {
    releasePorts = await acquireFixedPorts();
    dataDir = mkdtempSync(join(tmpdir(), 'platform-e2e-'));
    // One database per service (docs/architecture.md): oauth-service gets a PostgreSQL database of its own.
    if (temp().dialect === 'postgres') oauthDb = await createTempDatabase('postgres');
    env = {
      PLATFORM_DATA_DIR: dataDir,
      ADMIN_PASSWORD: 'e2e-correct-horse-battery-7',
      ...(oauthDb ? { TEST_SERVICE_DATABASE_URL: temp().url, OAUTH_SERVICE_DATABASE_URL: oauthDb.url } : {}),
    };
    platform = startPlatform(env);
    await platform.waitFor(/Press Ctrl-C to stop/);
    machineSecret = /client "flow-service" secret \(shown once\): (\S+)/.exec(platform.output())?.[1] ?? '';
  }, 16 * 60_000);

  afterAll(async () => {
    await platform?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await oauthDb?.drop();
    releasePorts?.();
  });

  it('prints the URLs of what it started and the seeded accounts', () => {
    const out = platform.output();
    expect(out).toContain('oauth-service (port 3001)');
    expect(out).toContain('pingora-proxy (port 8080)');
    expect(out).toContain('test-service (port 3005)');
    expect(out).toContain('admin-portal (port 3002)');
    expect(out).toContain('account-portal (port 3006)');
    expect(out).toContain('http://localhost:8080/account');
    expect(out).toContain('http://localhost:8080/admin');
    expect(out).toContain('http://localhost:3005/test/api/v1/echo');
    expect(out).toMatch(/admin \(role admin\)/);
    expect(out).toMatch(/client flow-service/);
    expect(out).toMatch(/test-service: (applied 0001_items|schema up to date)/);
    expect(machineSecret).toMatch(/^[\w-]{43}$/);
  });

  it('answers health on every component and serves discovery through the gateway', async () => {
    expect((await fetch(`${OAUTH}/health`)).status).toBe(200);
    expect((await fetch(`${GATEWAY}/healthz`)).status).toBe(200);
    expect((await fetch('http://127.0.0.1:3002/health')).status).toBe(200);
    // The console through the gateway: `/` leads to it, and it is served under /admin.
    const root = await throughGateway('/', { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/admin');
    expect((await throughGateway('/admin')).status).toBe(200);
    // The account console, under /account.
    expect((await fetch('http://127.0.0.1:3006/health')).status).toBe(200);
    expect((await throughGateway('/account')).status).toBe(200);
    const discovery = await json(throughGateway('/.well-known/openid-configuration'));
    expect(discovery.issuer).toBe(PUBLIC_URL);
    expect(discovery.token_endpoint).toBe(`${PUBLIC_URL}/oauth/token`);
  });

  it('answers /health with 200 and exposes both http_* metrics', async () => {
    expect((await fetch(`${TEST_SERVICE}/health`)).status).toBe(200);
    await fetch(`${TEST_SERVICE}/test/api/v1/echo`);
    const metrics = await (await fetch(`${TEST_SERVICE}/metrics`)).text();
    expect(metrics).toMatch(/^http_requests_total\{.*route="\/test\/api\/v1\/echo".*status="401".*\} \d+/m);
    expect(metrics).toMatch(/^http_request_duration_seconds_bucket\{/m);
  });

  it('enforces tokens and scopes on echo', async () => {
    const none = await fetch(`${TEST_SERVICE}/test/api/v1/echo`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const writeOnly = await machineToken(machineSecret, '/test', 'test:write');
    const forbidden = await fetch(`${TEST_SERVICE}/test/api/v1/echo`, {
      headers: { authorization: `Bearer ${writeOnly}` },
    });
    expect(forbidden.status).toBe(403);
    expect(((await json(forbidden)) as { code: string }).code).toBe('insufficient_scope');

    const reader = await machineToken(machineSecret, '/test', 'test:read');
    const ok = await throughGateway('/test/api/v1/echo', {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(ok.status).toBe(200);
    expect(((await json(ok)) as { token: unknown }).token).toEqual({
      sub: 'flow-service',
      client_id: 'flow-service',
      scope: 'test:read',
    });

    const inQuery = await fetch(`${TEST_SERVICE}/test/api/v1/echo?access_token=${reader}`);
    expect(inQuery.status).toBe(401);
  });

  it('serves the seeded items from the chosen database', async () => {
    const reader = await machineToken(machineSecret, '/test', 'test:read');
    const res = await fetch(`${TEST_SERVICE}/test/api/v1/items?limit=100`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    const { items } = (await json(res)) as { items: Array<{ name: string }> };
    const names = items.map((item) => item.name);
    expect(names).toEqual(expect.arrayContaining(['sample: alpha', 'sample: beta', 'sample: gamma']));
  });

  it('stops every component cleanly on Ctrl-C', async () => {
    const exit = await platform.stop('SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(platform.output()).toContain('all components stopped');
    await expect(fetch(`${TEST_SERVICE}/health`)).rejects.toThrow();
    await expect(fetch(`${OAUTH}/health`)).rejects.toThrow();
    await expect(fetch('http://127.0.0.1:3002/health')).rejects.toThrow();
    await expect(fetch('http://127.0.0.1:3006/health')).rejects.toThrow();
    await expect(fetch(`${GATEWAY}/healthz`)).rejects.toThrow();
  });

  it('starts again without redoing set-up: nothing installed, schema up to date, seed adds nothing', async () => {
    platform = startPlatform(env);
    await platform.waitFor(/Press Ctrl-C to stop/);
    const out = platform.output();
    expect(out).not.toMatch(/installing/);
    expect(out).toMatch(/test-service: schema up to date/);
    expect(out).toMatch(/oauth-service: schema up to date/);
    expect(out).toMatch(/oauth-service: seed data already present/);
    expect(out).not.toMatch(/shown once/);
    expect(out).toMatch(/seeded 0 new sample items/);
    expect((await platform.stop('SIGINT')).code).toBe(0);
  });
});
