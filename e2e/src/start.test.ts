// System test of the first README command: the platform started as a user starts it, checked from outside
// over HTTP, then stopped with Ctrl-C. Runs once per database dialect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import { createTestIssuer, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from './json.ts';
import { type PlatformProcess, startPlatform } from './platform-process.ts';

const TEST_SERVICE = 'http://127.0.0.1:3005';
const AUDIENCE = 'http://localhost:8080/test';

describeEachDialect('bash scripts/start.sh', (temp) => {
  let issuer: TestIssuer;
  let dataDir: string;
  let env: Record<string, string>;
  let platform: PlatformProcess;

  beforeAll(async () => {
    // Until oauth-service exists, tokens come from a local test issuer the services are pointed at.
    issuer = await createTestIssuer();
    dataDir = mkdtempSync(join(tmpdir(), 'platform-e2e-'));
    env = {
      PLATFORM_DATA_DIR: dataDir,
      OAUTH_ISSUER: issuer.issuer,
      OAUTH_JWKS_URL: issuer.jwksUri,
      ...(temp().dialect === 'postgres' ? { TEST_SERVICE_DATABASE_URL: temp().url } : {}),
    };
    platform = startPlatform(env);
    await platform.waitFor(/Press Ctrl-C to stop/);
  });

  afterAll(async () => {
    await platform?.stop('SIGKILL');
    await issuer?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URLs of what it started, and says there are no seeded accounts yet', () => {
    const out = platform.output();
    expect(out).toContain('test-service (port 3005)');
    expect(out).toContain('http://localhost:3005/test/api/v1/echo');
    expect(out).toMatch(/Seeded accounts: none yet/);
    expect(out).toMatch(/test-service: (applied 0001_items|schema up to date)/);
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

    const writeOnly = await issuer.mint({ aud: AUDIENCE, client_id: 'e2e', scope: 'test:write' });
    const forbidden = await fetch(`${TEST_SERVICE}/test/api/v1/echo`, {
      headers: { authorization: `Bearer ${writeOnly}` },
    });
    expect(forbidden.status).toBe(403);
    expect(((await json(forbidden)) as { code: string }).code).toBe('insufficient_scope');

    const reader = await issuer.mint({ aud: AUDIENCE, client_id: 'e2e', sub: 'bob', scope: 'test:read' });
    const ok = await fetch(`${TEST_SERVICE}/test/api/v1/echo`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(ok.status).toBe(200);
    expect(((await json(ok)) as { token: unknown }).token).toEqual({
      sub: 'bob',
      client_id: 'e2e',
      scope: 'test:read',
    });

    const inQuery = await fetch(`${TEST_SERVICE}/test/api/v1/echo?access_token=${reader}`);
    expect(inQuery.status).toBe(401);
  });

  it('serves the seeded items from the chosen database', async () => {
    const reader = await issuer.mint({ aud: AUDIENCE, client_id: 'e2e', scope: 'test:read' });
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
  });

  it('starts again without redoing set-up: nothing installed, schema up to date, seed adds nothing', async () => {
    platform = startPlatform(env);
    await platform.waitFor(/Press Ctrl-C to stop/);
    const out = platform.output();
    expect(out).not.toMatch(/installing/);
    expect(out).toMatch(/test-service: schema up to date/);
    expect(out).toMatch(/seeded 0 new sample items/);
    expect((await platform.stop('SIGINT')).code).toBe(0);
  });
});
