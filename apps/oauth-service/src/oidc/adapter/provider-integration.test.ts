import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type AdapterPayload, type ClientMetadata } from 'oidc-provider';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createKyselyAdapter } from './kysely-adapter.ts';
import type { OidcTables } from './tables.ts';
import { openOidcTestDatabase } from './test-database.ts';

// A real oidc-provider on top of the adapter: proves it stores and finds the payloads the provider writes.

const CLIENT: ClientMetadata = {
  client_id: 'reporting-service',
  client_secret: 'a-client-secret-long-enough-for-hs256-0123456789',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'reports:read',
};

const basicAuth = `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`;

describeEachDialect('oidc-provider on the Kysely adapter', (temp) => {
  let database: Database<OidcTables>;
  let server: Server;
  let provider: Provider;
  let issuer: string;
  const clientLookups: string[] = [];

  beforeAll(async () => {
    database = await openOidcTestDatabase(temp().url);
    // The issuer must name the port, which is only known once listening: start first, then plug the provider.
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
    server = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://localhost:${(server.address() as AddressInfo).port}`;

    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const clients = new Map<string, AdapterPayload>([[CLIENT.client_id, CLIENT]]);
    provider = new Provider(issuer, {
      adapter: createKyselyAdapter(database.db, {
        overrides: {
          Client: () => ({
            find: async (id) => {
              clientLookups.push(id);
              return clients.get(id);
            },
            upsert: async () => {},
            findByUid: async () => undefined,
            findByUserCode: async () => undefined,
            consume: async () => {},
            destroy: async () => {},
            revokeByGrantId: async () => {},
          }),
        },
      }),
      features: {
        clientCredentials: { enabled: true },
        // The caller may introspect its own tokens only (set explicitly: the default logs a notice).
        introspection: {
          enabled: true,
          allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
        },
        devInteractions: { enabled: false },
      },
      scopes: ['reports:read'],
      ttl: { ClientCredentials: 300, AccessToken: 60, RefreshToken: 600, Grant: 600 },
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
      cookies: { keys: ['a-test-cookie-signing-key-0123456789'] },
    });
    handle = provider.callback();
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('oidc_payloads').execute();
  });

  async function post(path: string, form: Record<string, string>) {
    const response = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: basicAuth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const introspect = (token: string) => post('/token/introspection', { token });

  async function issueToken(): Promise<string> {
    const { status, body } = await post('/token', {
      grant_type: 'client_credentials',
      scope: 'reports:read',
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'reports:read' });
    return body.access_token as string;
  }

  it('stores a client_credentials token and introspects it from the table', async () => {
    const before = Date.now();
    const token = await issueToken();

    const rows = await database.db.selectFrom('oidc_payloads').selectAll().execute();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ model: 'ClientCredentials', id: token, grant_id: null, consumed_at: null });
    expect(row!.expires_at).toBeGreaterThanOrEqual(before + 300_000);
    expect(row!.expires_at).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(JSON.parse(row!.payload)).toMatchObject({
      kind: 'ClientCredentials',
      jti: token,
      clientId: CLIENT.client_id,
      scope: 'reports:read',
    });

    const { status, body } = await introspect(token);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      active: true,
      client_id: CLIENT.client_id,
      scope: 'reports:read',
      token_type: 'Bearer',
      iss: issuer,
    });
    expect(clientLookups).toContain(CLIENT.client_id);
  });

  it('reports unknown, destroyed and expired tokens as inactive', async () => {
    expect((await introspect('not-a-token')).body).toEqual({ active: false });

    const destroyed = await issueToken();
    await provider.ClientCredentials.adapter.destroy(destroyed);
    expect((await introspect(destroyed)).body).toEqual({ active: false });

    // The payload's own exp is still in the future: only the row's expiry can make the provider miss it.
    const expired = await issueToken();
    await database.db
      .updateTable('oidc_payloads')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', expired)
      .execute();
    expect((await introspect(expired)).body).toEqual({ active: false });
  });

  it('keeps consumption and grant revocation working through the provider models', async () => {
    const client = (await provider.Client.find(CLIENT.client_id))!;
    const grant = new provider.Grant({ accountId: 'alice', clientId: CLIENT.client_id });
    grant.addOIDCScope('openid');
    const grantId = await grant.save();
    const refreshValue = await new provider.RefreshToken({
      accountId: 'alice',
      client,
      grantId,
      scope: 'openid',
      gty: 'authorization_code',
    }).save();
    const accessValue = await new provider.AccessToken({
      accountId: 'alice',
      client,
      grantId,
      scope: 'openid',
      gty: 'authorization_code',
    }).save();
    const otherGrant = await new provider.Grant({ accountId: 'bob', clientId: CLIENT.client_id }).save();
    const otherAccess = await new provider.AccessToken({
      accountId: 'bob',
      client,
      grantId: otherGrant,
      scope: 'openid',
      gty: 'authorization_code',
    }).save();

    const refresh = await provider.RefreshToken.find(refreshValue);
    expect(refresh?.isValid).toBe(true);
    await refresh!.consume();
    const consumed = await provider.RefreshToken.find(refreshValue);
    expect(consumed?.consumed).toBeTypeOf('number');
    expect(consumed?.isValid).toBe(false);

    // What the provider does on refresh-token reuse: revoke everything issued under the grant.
    await provider.RefreshToken.revokeByGrantId(grantId);
    expect(await provider.RefreshToken.find(refreshValue)).toBeUndefined();
    expect(await provider.AccessToken.find(accessValue)).toBeUndefined();
    expect((await provider.AccessToken.find(otherAccess))?.accountId).toBe('bob');
    expect((await provider.Grant.find(grantId))?.accountId).toBe('alice');
  });
});
