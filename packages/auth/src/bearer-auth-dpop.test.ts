import { hash, randomUUID } from 'node:crypto';
import { createApp } from '@platform/http';
import { createTestIssuer, type TestIssuer } from '@platform/testing';
import type { FastifyInstance } from 'fastify';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerAuth, requireScopes } from './bearer-auth.ts';
import { createDpopVerifier } from './dpop-proof.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

const PUBLIC_URL = 'https://api.example.test';
const AUDIENCE = `${PUBLIC_URL}/notes`;
const METADATA_URL = `${PUBLIC_URL}/.well-known/oauth-protected-resource/notes`;
const ALGS = 'algs="ES256 EdDSA"';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let issuer: TestIssuer;
let verifier: TokenVerifier;
let app: FastifyInstance;
let keys: KeyPair;
let publicJwk: JWK;
let jkt: string;
let otherKeys: KeyPair;

async function buildApp(options: { dpop: boolean }): Promise<FastifyInstance> {
  const built = await createApp({
    name: 'notes',
    logLevel: 'silent',
    openapi: { path: '/notes/openapi.json', title: 'notes', version: '1' },
  });
  await built.register(bearerAuth, {
    verifier,
    realm: 'notes',
    resourceMetadataUrl: METADATA_URL,
    ...(options.dpop
      ? { dpop: createDpopVerifier({ publicUrl: AUDIENCE, algorithms: ['ES256', 'EdDSA'] }) }
      : {}),
  });
  built.get('/notes', { preHandler: requireScopes('notes:read') }, async (request) => ({
    sub: request.token?.sub,
    jkt: request.token?.jkt,
  }));
  built.post('/notes', { preHandler: requireScopes('notes:write') }, async () => ({ created: true }));
  return built;
}

const mint = (bound: string | null, scope = 'notes:read') =>
  issuer.mint({
    client_id: 'app-1',
    aud: AUDIENCE,
    scope,
    ...(bound === null ? {} : { claims: { cnf: { jkt: bound } } }),
  });

async function proof(token: string, options: { htm?: string; htu?: string; signWith?: KeyPair } = {}) {
  const signer = options.signWith ?? keys;
  return new SignJWT({
    htm: options.htm ?? 'GET',
    htu: options.htu ?? `${PUBLIC_URL}/notes`,
    jti: randomUUID(),
    ath: hash('sha256', token, 'base64url'),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(signer.publicKey) })
    .setIssuedAt()
    .sign(signer.privateKey);
}

const get = (headers: Record<string, string | string[]>, url = '/notes') =>
  app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  issuer = await createTestIssuer();
  verifier = createTokenVerifier({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, audience: AUDIENCE });
  keys = await generateKeyPair('ES256', { extractable: true });
  otherKeys = await generateKeyPair('ES256', { extractable: true });
  publicJwk = await exportJWK(keys.publicKey);
  jkt = await calculateJwkThumbprint(publicJwk);
  app = await buildApp({ dpop: true });
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

describe('bearerAuth with DPoP: acceptance', () => {
  it('accepts a bound token with a proof from its key, and exposes the binding', async () => {
    const token = await mint(jkt);
    const response = await get({ authorization: `DPoP ${token}`, dpop: await proof(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'user-1', jkt });
  });

  it('accepts an unbound token with the DPoP scheme and a valid proof', async () => {
    const token = await mint(null);
    const response = await get({ authorization: `DPoP ${token}`, dpop: await proof(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json().jkt).toBeNull();
  });

  it('still accepts an unbound token as Bearer', async () => {
    expect((await get({ authorization: `Bearer ${await mint(null)}` })).statusCode).toBe(200);
  });

  it('offers both schemes to a request without a token', async () => {
    const response = await get({});
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="notes", resource_metadata="${METADATA_URL}", ` +
        `DPoP realm="notes", ${ALGS}, resource_metadata="${METADATA_URL}"`,
    );
  });

  it('checks the proof on every request while the token signature stays cached', async () => {
    const token = await mint(jkt);
    const once = await proof(token);
    const before = verifier.cacheStats();
    expect((await get({ authorization: `DPoP ${token}`, dpop: once })).statusCode).toBe(200);
    const replay = await get({ authorization: `DPoP ${token}`, dpop: once });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_dpop_proof');
    const after = verifier.cacheStats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
  });
});

describe('bearerAuth with DPoP: refusals', () => {
  it('refuses a bound token sent as Bearer, with a DPoP invalid_token challenge (RFC 9449 §7.1)', async () => {
    const response = await get({ authorization: `Bearer ${await mint(jkt)}` });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_token');
    expect(response.headers['www-authenticate']).toMatch(
      new RegExp(`^DPoP realm="notes", error="invalid_token", error_description="[^"]+", ${ALGS}, `),
    );
  });

  it('refuses a bound token as Bearer even where DPoP is not accepted', async () => {
    const noDpop = await buildApp({ dpop: false });
    const response = await noDpop.inject({
      url: '/notes',
      headers: { authorization: `Bearer ${await mint(jkt)}` },
    });
    expect(response.statusCode).toBe(401);
    const dpopScheme = await noDpop.inject({
      url: '/notes',
      headers: { authorization: `DPoP ${await mint(null)}` },
    });
    expect(dpopScheme.statusCode).toBe(401);
    expect(dpopScheme.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    await noDpop.close();
  });

  it.each([
    ['another method', { htm: 'POST' }],
    ['another URL', { htu: `${PUBLIC_URL}/other` }],
  ])('refuses a proof for %s with invalid_dpop_proof', async (_case, options) => {
    const token = await mint(jkt);
    const response = await get({ authorization: `DPoP ${token}`, dpop: await proof(token, options) });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_dpop_proof');
    expect(response.headers['www-authenticate']).toMatch(/^DPoP realm="notes", error="invalid_dpop_proof"/);
  });

  it("refuses another key's proof", async () => {
    const token = await mint(jkt);
    const response = await get({
      authorization: `DPoP ${token}`,
      dpop: await proof(token, { signWith: otherKeys }),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_dpop_proof');
  });

  it('takes htu from the configured public URL, never from Host or X-Forwarded-Host', async () => {
    const token = await mint(jkt);
    const forged = await get({
      authorization: `DPoP ${token}`,
      dpop: await proof(token, { htu: 'https://evil.test/notes' }),
      host: 'evil.test',
      'x-forwarded-host': 'evil.test',
    });
    expect(forged.statusCode).toBe(401);
    const honest = await get({
      authorization: `DPoP ${token}`,
      dpop: await proof(token),
      host: 'evil.test',
      'x-forwarded-host': 'evil.test',
    });
    expect(honest.statusCode).toBe(200);
  });

  it('refuses the DPoP scheme without a proof', async () => {
    const response = await get({ authorization: `DPoP ${await mint(jkt)}` });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_dpop_proof');
  });

  it('refuses two DPoP headers', async () => {
    const token = await mint(jkt);
    const response = await get({
      authorization: `DPoP ${token}`,
      dpop: [await proof(token), await proof(token)],
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      code: 'invalid_dpop_proof',
      detail: 'Send exactly one DPoP header.',
    });
  });

  it('refuses two Authorization headers, and one carrying both schemes', async () => {
    const token = await mint(jkt);
    const dpop = await proof(token);
    const two = await get({ authorization: [`DPoP ${token}`, `Bearer ${token}`], dpop });
    expect(two.statusCode).toBe(401);
    expect(two.json().code).toBe('invalid_token');
    const both = await get({ authorization: `DPoP ${token}, Bearer ${token}`, dpop });
    expect(both.statusCode).toBe(401);
    expect(both.json().code).toBe('invalid_token');
  });

  it('answers an invalid token in the DPoP scheme as invalid_token, before looking at the proof', async () => {
    const token = await issuer.mint({
      client_id: 'app-1',
      aud: 'https://elsewhere.test',
      scope: 'notes:read',
    });
    const response = await get({ authorization: `DPoP ${token}`, dpop: 'garbage' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_token');
    expect(response.headers['www-authenticate']).toMatch(/^DPoP realm="notes", error="invalid_token"/);
  });

  it('answers a missing scope in the scheme the client used', async () => {
    const token = await mint(jkt);
    const response = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: { authorization: `DPoP ${token}`, dpop: await proof(token, { htm: 'POST' }) },
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toMatch(
      /^DPoP realm="notes", error="insufficient_scope", scope="notes:write", algs=/,
    );
  });
});
