import { createTestIssuer, type TestIssuer } from '@platform/testing';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from './bearer-auth.ts';
import { protectResource } from './protect-resource.ts';

const RESOURCE = 'http://platform.test/notes';

describe('protectResource', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(() => issuer.close());

  async function app() {
    const app = Fastify();
    await protectResource(app, {
      resource: RESOURCE,
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      realm: 'notes',
      scopes: ['notes:read'],
      resourceName: 'Notes',
    });
    app.get('/notes/api', { preHandler: requireScopes('notes:read') }, async () => ({ ok: true }));
    return app;
  }

  it('publishes RFC 9728 metadata and points its challenges at it', async () => {
    const server = await app();
    const metadata = await server.inject({ url: '/.well-known/oauth-protected-resource/notes' });
    expect(metadata.json()).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['notes:read'],
      resource_name: 'Notes',
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'PS256', 'RS256'],
    });
    expect(metadata.json()).not.toHaveProperty('dpop_bound_access_tokens_required');
    const refused = await server.inject({ url: '/notes/api' });
    expect(refused.statusCode).toBe(401);
    // Both schemes are offered to a client that sent no token.
    const metadataUrl = 'http://platform.test/.well-known/oauth-protected-resource/notes';
    expect(refused.headers['www-authenticate']).toBe(
      `Bearer realm="notes", resource_metadata="${metadataUrl}", ` +
        `DPoP realm="notes", algs="ES256 EdDSA PS256 RS256", resource_metadata="${metadataUrl}"`,
    );
  });

  it("accepts the token issuer's tokens for this resource only", async () => {
    const server = await app();
    const call = async (aud: string, scope = 'notes:read') =>
      (
        await server.inject({
          url: '/notes/api',
          headers: { authorization: `Bearer ${await issuer.mint({ client_id: 'c', aud, scope })}` },
        })
      ).statusCode;
    expect(await call(RESOURCE)).toBe(200);
    expect(await call('http://platform.test/other')).toBe(401);
    expect(await call(RESOURCE, 'notes:write')).toBe(403);
  });
});
