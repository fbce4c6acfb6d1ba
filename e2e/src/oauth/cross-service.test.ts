import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../json.ts';
import {
  authorize,
  discover,
  type OAuthServer,
  PORTAL_REDIRECT,
  PORTAL_SECRET,
  portalAuthorizationUrl,
  portalConfig,
  startOAuthServer,
  startTestService,
} from './harness.ts';

describeEachDialect('test-service trusts oauth-service', (temp) => {
  let server: OAuthServer;
  let testService: Awaited<ReturnType<typeof startTestService>>;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    testService = await startTestService(server.issuer);
  });
  afterAll(async () => {
    await testService?.stop();
    await server?.stop();
  });

  it('accepts a token for audience test with test:read, and rejects one for kline', async () => {
    const machine = await discover(server, 'flow-service', client.ClientSecretBasic(server.machineSecret));
    const forTest = await client.clientCredentialsGrant(machine, {
      resource: `${server.issuer}/test`,
      scope: 'test:read',
    });
    const ok = await fetch(`${testService.url}/test/api/v1/echo`, {
      headers: { authorization: `Bearer ${forTest.access_token}` },
    });
    expect(ok.status).toBe(200);
    expect((await json(ok)).token).toEqual({
      sub: 'flow-service',
      client_id: 'flow-service',
      scope: 'test:read',
    });

    const forKline = await client.clientCredentialsGrant(machine, {
      resource: `${server.issuer}/kline`,
      scope: 'kline:read',
    });
    const refused = await fetch(`${testService.url}/test/api/v1/echo`, {
      headers: { authorization: `Bearer ${forKline.access_token}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('[postgres] two oauth-service instances on one database', () => {
  let db: TempDatabase;
  let first: OAuthServer;
  let second: OAuthServer;

  beforeAll(async () => {
    db = await createTempDatabase('postgres');
    first = await startOAuthServer(db.url);
    // Same public issuer, as behind the gateway; no second seed.
    second = await startOAuthServer(db.url, { issuer: first.issuer, seed: false });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await db?.drop();
  });

  it('publish the same JWKS', async () => {
    const a = await json(fetch(`${first.service.url}/oauth/jwks`));
    const b = await json(fetch(`${second.service.url}/oauth/jwks`));
    expect(a.keys.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('redeem on one a code issued by the other', async () => {
    const portal = await portalConfig(first);
    const { url, verifier } = await portalAuthorizationUrl(portal, { state: 'two' });
    const { callback } = await authorize(first, url);
    const code = callback.searchParams.get('code')!;
    const res = await fetch(`${second.service.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`admin-portal:${PORTAL_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: PORTAL_REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = await json(res);
    expect(tokens.id_token).toBeTruthy();
  });
});
