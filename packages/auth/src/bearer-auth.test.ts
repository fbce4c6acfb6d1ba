import { createApp } from '@platform/http';
import { createTestIssuer, type MintOptions, type TestIssuer } from '@platform/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerAuth, requireScopes } from './bearer-auth.ts';
import { createTokenVerifier } from './token-verifier.ts';

const AUDIENCE = 'https://api.example.test/notes';
const METADATA_URL = 'https://api.example.test/.well-known/oauth-protected-resource/notes';
const CHALLENGE_TAIL = `resource_metadata="${METADATA_URL}"`;

// The platform's real app factory, so errors go through the same problem+json handler services use.
function platformApp(): Promise<FastifyInstance> {
  return createApp({
    name: 'notes',
    logLevel: 'silent',
    openapi: { path: '/notes/openapi.json', title: 'notes', version: '1' },
  });
}

async function buildApp(options: {
  jwksUri: string;
  issuer: string;
  realm?: string;
}): Promise<FastifyInstance> {
  const app = await platformApp();
  const verifier = createTokenVerifier({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    audience: AUDIENCE,
  });
  await app.register(bearerAuth, {
    verifier,
    realm: options.realm ?? 'notes',
    resourceMetadataUrl: METADATA_URL,
  });

  app.get('/notes', { preHandler: requireScopes('notes:read') }, async (request) => ({
    sub: request.token?.sub,
    clientId: request.token?.clientId,
    scopes: [...(request.token?.scopes ?? [])],
  }));
  app.post('/notes', { preHandler: [requireScopes('notes:read', 'notes:write')] }, async () => ({
    created: true,
  }));
  app.get('/me', { preHandler: requireScopes() }, async (request) => ({ sub: request.token?.sub }));
  app.get('/public', async (request) => ({ authenticated: request.token !== null }));
  return app;
}

let issuer: TestIssuer;
let app: FastifyInstance;
const mint = (options: Partial<MintOptions> = {}) =>
  issuer.mint({ client_id: 'app-1', aud: AUDIENCE, ...options });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  issuer = await createTestIssuer();
  app = await buildApp(issuer);
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

describe('bearerAuth without credentials', () => {
  it('answers 401 missing_token with a challenge that has no error attribute', async () => {
    const response = await app.inject({ method: 'GET', url: '/notes' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="notes", ${CHALLENGE_TAIL}`);
    expect(response.json()).toMatchObject({
      status: 401,
      code: 'missing_token',
      type: 'urn:problem:missing_token',
    });
  });

  it('never reads an access_token query parameter', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/notes?access_token=${await mint({ scope: 'notes:read' })}`,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('missing_token');
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="notes", ${CHALLENGE_TAIL}`);
  });

  it('never reads an access_token form field', async () => {
    const formApp = await buildApp(issuer);
    formApp.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const token = await mint({ scope: 'notes:read notes:write' });
    const response = await formApp.inject({
      method: 'POST',
      url: '/notes',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `access_token=${token}`,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('missing_token');
    await formApp.close();
  });

  it('treats credentials of another scheme as no token', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/notes',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('missing_token');
  });
});

describe('bearerAuth with a bad token', () => {
  const invalid = (description: string) =>
    `Bearer realm="notes", error="invalid_token", error_description="${description}", ${CHALLENGE_TAIL}`;

  it('answers 401 invalid_token for a malformed Authorization header', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/notes',
      headers: { authorization: 'Bearer two words' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid_token');
    expect(response.headers['www-authenticate']).toBe(
      invalid('The Authorization header is not a valid Bearer or DPoP credential.'),
    );
  });

  it.each<[string, Partial<MintOptions>, string]>([
    ['expired', { scope: 'notes:read', expiresIn: -120 }, 'The access token has expired.'],
    [
      'for another audience',
      { scope: 'notes:read', aud: 'https://other.test' },
      'The access token is not intended for this resource.',
    ],
    [
      'from another issuer',
      { scope: 'notes:read', claims: { iss: 'https://evil.test' } },
      'The access token is invalid.',
    ],
    ['typed JWT', { scope: 'notes:read', typ: 'JWT' }, 'The access token is invalid.'],
    ['signed by a foreign key', { scope: 'notes:read', foreignKey: true }, 'The access token is invalid.'],
    ['unsecured', { scope: 'notes:read', alg: 'none' }, 'The access token is invalid.'],
  ])('answers 401 invalid_token for a token %s', async (_name, options, description) => {
    const response = await app.inject({ method: 'GET', url: '/notes', headers: bearer(await mint(options)) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'invalid_token', detail: description });
    expect(response.headers['www-authenticate']).toBe(invalid(description));
  });

  it('lets public routes through with request.token null', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/public',
      headers: bearer(await mint({ expiresIn: -120 })),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ authenticated: false });
  });
});

describe('bearerAuth with a valid token', () => {
  it('answers 403 insufficient_scope naming every required scope', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: bearer(await mint({ scope: 'notes:read' })),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('insufficient_scope');
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="notes", error="insufficient_scope", scope="notes:read notes:write", ${CHALLENGE_TAIL}`,
    );
  });

  it('answers 403 for a token with no scope at all', async () => {
    const response = await app.inject({ method: 'GET', url: '/notes', headers: bearer(await mint()) });
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toContain('scope="notes:read"');
  });

  it('serves the route with request.token when the scopes are there', async () => {
    const token = await mint({ sub: 'alice', scope: 'notes:read notes:write' });
    const read = await app.inject({ method: 'GET', url: '/notes', headers: bearer(token) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ sub: 'alice', clientId: 'app-1', scopes: ['notes:read', 'notes:write'] });
    expect((await app.inject({ method: 'POST', url: '/notes', headers: bearer(token) })).statusCode).toBe(
      200,
    );
  });

  it('accepts a lower-case scheme name', async () => {
    const token = await mint({ scope: 'notes:read' });
    const response = await app.inject({
      method: 'GET',
      url: '/notes',
      headers: { authorization: `bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it('requireScopes() with no scopes needs just a valid token', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/me', headers: bearer(await mint({ sub: 'bob' })) })).json(),
    ).toEqual({
      sub: 'bob',
    });
    expect((await app.inject({ method: 'GET', url: '/me' })).statusCode).toBe(401);
  });

  it('sets request.token on public routes too', async () => {
    const response = await app.inject({ method: 'GET', url: '/public', headers: bearer(await mint()) });
    expect(response.json()).toEqual({ authenticated: true });
  });
});

describe('bearerAuth when the token issuer is unreachable', () => {
  it('answers 503 auth_unavailable rather than blaming the token', async () => {
    const outage = await createTestIssuer();
    const outageApp = await buildApp(outage);
    outage.setJwksAvailable(false);
    const response = await outageApp.inject({
      method: 'GET',
      url: '/notes',
      headers: bearer(await outage.mint({ client_id: 'c', aud: AUDIENCE, scope: 'notes:read' })),
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('auth_unavailable');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['www-authenticate']).toBeUndefined();
    await outageApp.close();
    await outage.close();
  });
});

describe('bearerAuth configuration', () => {
  it('quotes the realm in the challenge', async () => {
    const quotedApp = await buildApp({ ...issuer, realm: 'say "notes"' });
    const response = await quotedApp.inject({ method: 'GET', url: '/notes' });
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="say \\"notes\\"", ${CHALLENGE_TAIL}`);
    await quotedApp.close();
  });

  it.each([
    ['a realm with a line break', { realm: 'notes\r\nX-Injected: 1' }, /non-printable/],
    ['an empty realm', { realm: '' }, /realm/],
    [
      'a relative metadata URL',
      { resourceMetadataUrl: '/.well-known/oauth-protected-resource' },
      /resourceMetadataUrl/,
    ],
    ['no verifier', { verifier: undefined }, /verifier/],
  ])('refuses to register with %s', async (_name, overrides, message) => {
    const broken = Fastify();
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      audience: AUDIENCE,
    });
    const options = { verifier, realm: 'notes', resourceMetadataUrl: METADATA_URL, ...overrides };
    await expect(
      broken.register(bearerAuth, options as Parameters<typeof bearerAuth>[1]).ready(),
    ).rejects.toThrow(message);
  });

  it('rejects invalid scope names when the route is defined', () => {
    expect(() => requireScopes('notes read')).toThrow(/not a valid OAuth scope/);
    expect(() => requireScopes('notes"')).toThrow(TypeError);
  });

  it('fails loudly when requireScopes is used without the plugin', async () => {
    const bare = await platformApp();
    bare.get('/x', { preHandler: requireScopes('a') }, async () => 'open');
    const response = await bare.inject({ method: 'GET', url: '/x' });
    expect(response.statusCode).toBe(500);
    await bare.close();
  });
});
