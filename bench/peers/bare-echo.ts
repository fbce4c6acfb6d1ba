// The peer for bench/echo.ts: the least a Node service can do for the same request — Fastify with no
// plugins, jose verifying the token against a remote JWKS on every request, the same echo body.
// Run as its own process: PORT, ISSUER, JWKS_URL, AUDIENCE come from the bench (benchmark-only code).
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const { PORT, ISSUER, JWKS_URL, AUDIENCE } = process.env;
if (!PORT || !ISSUER || !JWKS_URL || !AUDIENCE)
  throw new Error('PORT, ISSUER, JWKS_URL and AUDIENCE are required');

const jwks = createRemoteJWKSet(new URL(JWKS_URL));
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.get('/test/api/v1/echo', async (request, reply) => {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return reply.status(401).send({ error: 'invalid_token' });
  try {
    const { payload } = await jwtVerify(header.slice(7), jwks, {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
    });
    const scopes = String(payload.scope ?? '').split(' ');
    if (!scopes.includes('test:read')) return reply.status(403).send({ error: 'insufficient_scope' });
    const { authorization: _, ...headers } = request.headers;
    return {
      method: request.method,
      path: request.url.split('?')[0],
      query: request.query,
      headers,
      body: null,
      token: { sub: payload.sub, client_id: payload.client_id, scope: payload.scope },
    };
  } catch {
    return reply.status(401).send({ error: 'invalid_token' });
  }
});
await app.listen({ host: '127.0.0.1', port: Number(PORT) });
