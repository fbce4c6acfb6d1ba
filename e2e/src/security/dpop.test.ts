// DPoP at the resource servers (RFC 9449 §7): a token bound to a key (`cnf.jkt`) is worthless without that
// key. Sent as a bearer token it is refused; with a proof signed by its key it works; a proof from another key
// or a proof seen before is refused. test-service and kline-service (REST and the WebSocket upgrade) are
// called directly, with the proofs' `htu` on PUBLIC_URL as a client of the gateway would sign it.

import { hash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import type { SpawnedService } from '@platform/testing';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { json } from '../json.ts';
import { discover, type OAuthServer, startOAuthServer, TEST_SERVICE_DIR } from '../oauth/harness.ts';
import { startService } from '../service.ts';

const KLINE_DIR = join(import.meta.dirname, '..', '..', '..', 'apps/kline-service');

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** A DPoP proof (RFC 9449 §4.2) for one request, signed by `keys`. */
async function proof(keys: KeyPair, htm: string, htu: string, accessToken: string): Promise<string> {
  return new SignJWT({
    htm,
    htu,
    jti: randomUUID(),
    ath: hash('sha256', accessToken, 'base64url'),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(keys.publicKey) })
    .setIssuedAt()
    .sign(keys.privateKey);
}

async function startResourceService(dir: string, issuer: string, db: TempDatabase): Promise<SpawnedService> {
  const env = {
    DATABASE_URL: db.url,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: issuer,
    OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
  };
  return startService(dir, env);
}

describe('DPoP-bound access tokens at the resource servers', () => {
  const databases: TempDatabase[] = [];
  let server: OAuthServer;
  let testService: SpawnedService;
  let kline: SpawnedService;
  let keys: KeyPair;
  let otherKeys: KeyPair;
  /** Bound to `keys`, for test-service. */
  let testToken: string;
  /** Bound to `keys`, for kline-service. */
  let klineToken: string;

  beforeAll(async () => {
    const [oauthDb, testDb, klineDb] = await Promise.all([1, 2, 3].map(() => createTempDatabase('sqlite')));
    databases.push(oauthDb!, testDb!, klineDb!);
    server = await startOAuthServer(oauthDb!.url);
    [testService, kline] = await Promise.all([
      startResourceService(TEST_SERVICE_DIR, server.issuer, testDb!),
      startResourceService(KLINE_DIR, server.issuer, klineDb!),
    ]);
    keys = await generateKeyPair('ES256', { extractable: true });
    otherKeys = await generateKeyPair('ES256', { extractable: true });
    const machine = await discover(server, 'flow-service', client.ClientSecretBasic(server.machineSecret));
    const DPoP = client.getDPoPHandle(machine, keys);
    const grant = (resource: string, scope: string) =>
      client.clientCredentialsGrant(machine, { resource, scope }, { DPoP });
    testToken = (await grant(`${server.issuer}/test`, 'test:read')).access_token;
    klineToken = (await grant(`${server.issuer}/kline`, 'kline:read')).access_token;
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([testService?.stop(), kline?.stop()]);
    await server?.stop();
    await Promise.allSettled(databases.map((db) => db.drop()));
  });

  const echoPath = '/test/api/v1/echo';
  const echo = (headers: Record<string, string>) => fetch(`${testService.url}${echoPath}`, { headers });
  const echoProof = (pair: KeyPair, token = testToken) =>
    proof(pair, 'GET', `${server.issuer}${echoPath}`, token);

  it('issues a token bound to the client key', () => {
    expect((decodeJwt(testToken).cnf as { jkt?: string } | undefined)?.jkt).toBeTruthy();
  });

  it('test-service refuses the bound token as a bearer token (401, DPoP challenge)', async () => {
    const response = await echo({ authorization: `Bearer ${testToken}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/(^|, )DPoP /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toMatch(/algs="[^"]*ES256/);
  });

  it('test-service accepts the bound token with a proof from its key', async () => {
    const response = await echo({ authorization: `DPoP ${testToken}`, dpop: await echoProof(keys) });
    expect(response.status).toBe(200);
    expect((await json(response)).token).toMatchObject({ client_id: 'flow-service', scope: 'test:read' });
  });

  it("test-service refuses a proof signed by another key than the token's", async () => {
    const response = await echo({ authorization: `DPoP ${testToken}`, dpop: await echoProof(otherKeys) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
  });

  it('test-service refuses a proof used a second time', async () => {
    const once = await echoProof(keys);
    expect((await echo({ authorization: `DPoP ${testToken}`, dpop: once })).status).toBe(200);
    const replay = await echo({ authorization: `DPoP ${testToken}`, dpop: once });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
  });

  it('test-service refuses a proof signed for another URL or method', async () => {
    const wrongUrl = await proof(keys, 'GET', `${server.issuer}/test/api/v1/items`, testToken);
    expect((await echo({ authorization: `DPoP ${testToken}`, dpop: wrongUrl })).status).toBe(401);
    const wrongMethod = await proof(keys, 'POST', `${server.issuer}${echoPath}`, testToken);
    expect((await echo({ authorization: `DPoP ${testToken}`, dpop: wrongMethod })).status).toBe(401);
  });

  it('test-service advertises the proof algorithms in its protected resource metadata', async () => {
    const metadata = await json(fetch(`${testService.url}/.well-known/oauth-protected-resource/test`));
    expect(metadata.dpop_signing_alg_values_supported).toContain('ES256');
  });

  const klinesPath = '/kline/api/v1/symbols';
  const klines = (headers: Record<string, string>) => fetch(`${kline.url}${klinesPath}`, { headers });
  const klineProof = (pair: KeyPair) => proof(pair, 'GET', `${server.issuer}${klinesPath}`, klineToken);

  it('kline-service refuses the bound token as bearer, accepts it with its proof, refuses another key', async () => {
    const asBearer = await klines({ authorization: `Bearer ${klineToken}` });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/(^|, )DPoP .*error="invalid_token"/);

    const once = await klineProof(keys);
    expect((await klines({ authorization: `DPoP ${klineToken}`, dpop: once })).status).toBe(200);
    expect((await klines({ authorization: `DPoP ${klineToken}`, dpop: once })).status).toBe(401);
    const other = await klines({ authorization: `DPoP ${klineToken}`, dpop: await klineProof(otherKeys) });
    expect(other.status).toBe(401);
  });

  /** Resolves with the upgrade's outcome: 101 when the socket opened, else the refusal's status. */
  function upgrade(protocols: string[], headers: Record<string, string>): Promise<number> {
    const socket = new WebSocket(`${kline.url.replace('http', 'ws')}/kline/ws`, protocols, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      socket.once('error', reject);
    });
  }

  it('kline WebSocket: a bound token opens with a DPoP proof, never as a bearer subprotocol', async () => {
    const wsProof = (pair: KeyPair) => proof(pair, 'GET', `${server.issuer}/kline/ws`, klineToken);
    expect(await upgrade([], { authorization: `DPoP ${klineToken}`, dpop: await wsProof(keys) })).toBe(101);
    expect(await upgrade([], { authorization: `DPoP ${klineToken}`, dpop: await wsProof(otherKeys) })).toBe(
      401,
    );
    // A browser's subprotocol token cannot come with a proof: a bound token there is refused.
    expect(await upgrade(['kline.v1', `bearer.${klineToken}`], {})).toBe(401);
  });
});
