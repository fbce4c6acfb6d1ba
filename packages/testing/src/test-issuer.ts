import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from 'jose';

export type TestIssuerAlg = 'ES256' | 'EdDSA';

export interface TestIssuerOptions {
  /** Signing algorithm of the token issuer's keys. Default `ES256`. */
  alg?: TestIssuerAlg;
  /** Value of the `iss` claim. Defaults to the JWKS server's own base URL, e.g. `http://127.0.0.1:41234`. */
  issuer?: string;
}

export interface MintOptions {
  client_id: string;
  aud: string | readonly string[];
  /** Default `user-1`. */
  sub?: string;
  /** Written as one space-separated string (RFC 9068 §2.2.3); omitted when not given. */
  scope?: string | readonly string[];
  /** Seconds from `issuedAt` to `exp`. Default 300; negative values mint an already expired token. */
  expiresIn?: number;
  /** Header `typ`. Default `at+jwt`; `null` leaves the header parameter out. */
  typ?: string | null;
  /** Header `kid`. Defaults to the current signing key's kid; any other value names a key nobody has. */
  kid?: string;
  /**
   * Header `alg`. Defaults to the token issuer's algorithm. `none` mints an unsecured JWT, `HS*` signs with a
   * random HMAC secret, and any other asymmetric algorithm signs with a throwaway key of that type.
   */
  alg?: string;
  /** Sign with a freshly generated key of the token issuer's algorithm that is not in the JWKS (kid unchanged). */
  foreignKey?: boolean;
  /** `nbf`, in seconds since the epoch. Omitted by default. */
  notBefore?: number;
  /** `iat`, in seconds since the epoch. Default now. */
  issuedAt?: number;
  /** Default a random UUID. */
  jti?: string;
  /** Extra claims, applied last: they may override standard ones, and an `undefined` value removes one. */
  claims?: Record<string, unknown>;
}

export interface TestIssuer {
  /** The `iss` value minted tokens carry. */
  readonly issuer: string;
  /** Where the JWKS is served, e.g. `http://127.0.0.1:41234/jwks`. */
  readonly jwksUri: string;
  /** Mints an RFC 9068 access token (or a deliberately broken one, depending on the options). */
  mint(options: MintOptions): Promise<string>;
  /** Publishes a new signing key and makes it the default for `mint`; older keys stay published. */
  rotateKey(): Promise<{ kid: string }>;
  /** The kid `mint` signs with by default. */
  currentKid(): string;
  /** The public key set as served at `jwksUri` (not counted as a request). */
  jwks(): JSONWebKeySet;
  /** How many times `GET /jwks` was requested, failed answers included. */
  jwksRequests(): number;
  /** While false, `/jwks` answers 503, to simulate an issuer outage. */
  setJwksAvailable(available: boolean): void;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  alg: TestIssuerAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function createSigningKey(alg: TestIssuerAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What the JWKS endpoint serves and counts; the token issuer changes it between requests. */
interface JwksEndpointState {
  publicSet(): JSONWebKeySet;
  requests: number;
  /** While false, `/jwks` answers 503. */
  available: boolean;
}

/** Serves `GET /jwks` on an ephemeral 127.0.0.1 port; everything else is 404. */
async function startJwksServer(state: JwksEndpointState): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/jwks') {
      state.requests += 1;
      if (!state.available) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(state.publicSet()));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Verifiers keep fetch connections alive; without this, close() would wait for them to idle out.
    server.closeAllConnections();
  });
}

/** The claims `mint` signs: RFC 9068's, then `claims` applied last (an `undefined` value removes one). */
function mintPayload(issuer: string, mintOptions: MintOptions): Record<string, unknown> {
  const issuedAt = mintOptions.issuedAt ?? Math.floor(Date.now() / 1000);
  const scope = mintOptions.scope;
  const payload: Record<string, unknown> = {
    iss: issuer,
    sub: mintOptions.sub ?? 'user-1',
    aud: mintOptions.aud,
    exp: issuedAt + (mintOptions.expiresIn ?? 300),
    iat: issuedAt,
    jti: mintOptions.jti ?? randomUUID(),
    client_id: mintOptions.client_id,
    ...(scope === undefined ? {} : { scope: typeof scope === 'string' ? scope : scope.join(' ') }),
    ...(mintOptions.notBefore === undefined ? {} : { nbf: mintOptions.notBefore }),
    ...mintOptions.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return payload;
}

function mintHeader(mintOptions: MintOptions, signing: SigningKey) {
  const typ = mintOptions.typ === undefined ? 'at+jwt' : mintOptions.typ;
  return {
    alg: mintOptions.alg ?? signing.alg,
    ...(typ === null ? {} : { typ }),
    kid: mintOptions.kid ?? signing.kid,
  };
}

/**
 * Starts an OAuth issuer stand-in on 127.0.0.1: a JWKS endpoint plus a `mint` that signs access tokens
 * with the published keys. Every test that needs real tokens uses this instead of hand-made JWTs.
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'ES256';
  const keys: SigningKey[] = [await createSigningKey(alg)];
  // Throwaway keys for foreign-key and wrong-algorithm tokens; one per algorithm is enough.
  const foreignKeys = new Map<string, CryptoKey>();

  const currentKey = (): SigningKey => keys[keys.length - 1]!;
  const publicSet = (): JSONWebKeySet => ({ keys: keys.map((key) => ({ ...key.publicJwk })) });
  const jwksState: JwksEndpointState = { publicSet, requests: 0, available: true };
  const { server, baseUrl } = await startJwksServer(jwksState);
  const issuer = options.issuer ?? baseUrl;

  async function foreignKey(foreignAlg: string): Promise<CryptoKey> {
    let key = foreignKeys.get(foreignAlg);
    if (!key) {
      key = (await generateKeyPair(foreignAlg)).privateKey;
      foreignKeys.set(foreignAlg, key);
    }
    return key;
  }

  async function mint(mintOptions: MintOptions): Promise<string> {
    const signing = currentKey();
    const payload = mintPayload(issuer, mintOptions);
    const header = mintHeader(mintOptions, signing);
    const headerAlg = header.alg;
    if (headerAlg === 'none') return `${base64urlJson(header)}.${base64urlJson(payload)}.`;
    let key: CryptoKey | Uint8Array;
    if (headerAlg.startsWith('HS')) key = randomBytes(64);
    else if (headerAlg !== signing.alg || mintOptions.foreignKey) key = await foreignKey(headerAlg);
    else key = signing.privateKey;
    return new SignJWT(payload).setProtectedHeader(header).sign(key);
  }

  let closed: Promise<void> | undefined;
  return {
    issuer,
    jwksUri: `${baseUrl}/jwks`,
    mint,
    async rotateKey() {
      const key = await createSigningKey(alg);
      keys.push(key);
      return { kid: key.kid };
    },
    currentKid: () => currentKey().kid,
    jwks: publicSet,
    jwksRequests: () => jwksState.requests,
    setJwksAvailable(available) {
      jwksState.available = available;
    },
    close() {
      closed ??= closeServer(server);
      return closed;
    },
  };
}
