// Test support for services that accept DPoP: a client key and the proofs it signs (RFC 9449 §4.2), so a
// service's tests need no JOSE code of their own. Not for production: the key is generated in memory.
import { hash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface ProofOptions {
  htm: string;
  /** The public URL the request addresses (query and fragment are ignored by the verifier). */
  htu: string;
  /** Sets `ath`; leave out for requests without an access token (e.g. at the token endpoint). */
  accessToken?: string;
  /** Seconds since the epoch. Default now. */
  iat?: number;
  /** Default a random UUID. */
  jti?: string;
}

export interface DpopTestKey {
  /** The key's RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to it. */
  readonly jkt: string;
  /** A `DPoP` header value signed by this key. */
  proof(options: ProofOptions): Promise<string>;
}

/** A fresh ES256 DPoP key. */
export async function createDpopTestKey(): Promise<DpopTestKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return {
    jkt: await calculateJwkThumbprint(jwk),
    proof: (options) =>
      new SignJWT({
        htm: options.htm,
        htu: options.htu,
        jti: options.jti ?? randomUUID(),
        ...(options.accessToken === undefined
          ? {}
          : { ath: hash('sha256', options.accessToken, 'base64url') }),
      })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
        .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
        .sign(privateKey),
  };
}

/** What `mintDpopBoundToken` needs of a test issuer (`@platform/testing`'s createTestIssuer has it). */
interface TokenMinter<Options extends { claims?: Record<string, unknown> }> {
  mint(options: Options): Promise<string>;
}

/** A fresh DPoP key and an access token from `issuer` bound to it (`cnf.jkt` = the key's thumbprint). */
export async function mintDpopBoundToken<Options extends { claims?: Record<string, unknown> }>(
  issuer: TokenMinter<Options>,
  options: Options,
): Promise<{ key: DpopTestKey; token: string }> {
  const key = await createDpopTestKey();
  const token = await issuer.mint({ ...options, claims: { ...options.claims, cnf: { jkt: key.jkt } } });
  return { key, token };
}
