// The peer for bench/oauth/client-credentials.ts and bench/oauth/introspection.ts: oidc-provider 9 as its
// README shows it, in its own process — default in-memory adapter, static clients, no framework around it,
// no logs, no metrics, no audit. It is configured only as far as the benchmarked requests need to match ours:
//   - client_credentials with client_secret_basic, a resource indicator for one resource server, an ES256
//     JWT access token (RFC 9068) with the same 300 s TTL as oauth-service's default;
//   - introspection (client_secret_basic), of an opaque refresh token and an opaque access token it issued
//     to the `admin-portal` client for a grant, as an authorization-code flow leaves them.
// With DUTIES=1 it is the "bare + duties" reference instead: the same provider plus, each done as cheaply as we
// know how (peers/duties.ts), the per-request work the platform requires of any server built on oidc-provider, so
// the benchmark shows what those requirements cost by themselves.
// Benchmark-only code. Environment: PORT, ISSUER (http://127.0.0.1:<PORT>), MACHINE_SECRET, PORTAL_SECRET,
// RESOURCE (the resource indicator, e.g. <ISSUER>/test), DUTIES (optional). Before it listens it prints one line,
// `bench-tokens {"refresh_token":"…","access_token":"…"}`, for the introspection benchmark.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { addDuties, openDutiesDatabase, sqliteAdapter } from './duties.ts';

const { PORT, ISSUER, MACHINE_SECRET, PORTAL_SECRET, RESOURCE } = process.env;
if (!PORT || !ISSUER || !MACHINE_SECRET || !PORTAL_SECRET || !RESOURCE)
  throw new Error('PORT, ISSUER, MACHINE_SECRET, PORTAL_SECRET and RESOURCE are required');

const ACCESS_TOKEN_TTL = 300;
const RESOURCE_SCOPES = 'test:read test:write';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const dutiesDb = process.env.DUTIES === '1' ? await openDutiesDatabase() : undefined;
const provider = new Provider(ISSUER, {
  ...(dutiesDb ? { adapter: sqliteAdapter(dutiesDb) } : {}),
  jwks: { keys: [jwk] },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  // oauth-service's paths, so both servers answer the very same request line.
  routes: { token: '/oauth/token', introspection: '/oauth/introspect', jwks: '/oauth/jwks' },
  clients: [
    {
      client_id: 'flow-service',
      client_secret: MACHINE_SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'admin-portal',
      client_secret: PORTAL_SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:9/admin/auth/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
      useGrantedResource: async () => true,
      async getResourceServerInfo(_ctx, indicator) {
        if (indicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: RESOURCE_SCOPES,
          audience: RESOURCE,
          accessTokenTTL: ACCESS_TOKEN_TTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  ttl: {
    AccessToken: ACCESS_TOKEN_TTL,
    ClientCredentials: ACCESS_TOKEN_TTL,
  },
});
provider.proxy = true;

// What one authorization-code flow with `openid offline_access` leaves in storage: a grant, an opaque
// refresh token and an opaque (userinfo) access token, both of the admin portal, both tied to the grant.
const accountId = 'bench-user';
const client = await provider.Client.find('admin-portal');
if (!client) throw new Error('admin-portal client missing');
const scope = 'openid offline_access';
const grant = new provider.Grant({ accountId, clientId: client.clientId });
grant.addOIDCScope(scope);
const grantId = await grant.save();
const now = Math.floor(Date.now() / 1000);
const refreshToken = await new provider.RefreshToken({
  accountId,
  client,
  grantId,
  scope,
  gty: 'authorization_code',
  authTime: now,
  iiat: now,
  rotations: 0,
}).save();
const accessToken = await new provider.AccessToken({
  accountId,
  client,
  grantId,
  scope,
  gty: 'authorization_code',
}).save();
console.log(`bench-tokens ${JSON.stringify({ refresh_token: refreshToken, access_token: accessToken })}`);

// /health for spawnService's readiness probe; everything else is the provider's.
const callback = dutiesDb ? addDuties(provider, dutiesDb) : provider.callback();
createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  callback(req, res);
}).listen(Number(PORT), '127.0.0.1');

// A normal exit on SIGTERM, so that `--cpu-prof` writes its profile.
process.once('SIGTERM', () => process.exit(0));
