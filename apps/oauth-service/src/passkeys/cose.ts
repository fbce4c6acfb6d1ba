import { isoCBOR } from '@simplewebauthn/server/helpers';

// The COSE_Key (RFC 9053 §7.1) of an EC2 P-256 public key for ES256, as an authenticator reports it at
// registration: for tools that store a credential made outside a WebAuthn ceremony (tests, a virtual
// authenticator's key).

/** COSE_Key bytes of a P-256 public key given as a JWK (`x`, `y` base64url). */
export function coseP256PublicKey(jwk: { x?: string | undefined; y?: string | undefined }): Uint8Array {
  if (!jwk.x || !jwk.y) throw new TypeError('a P-256 public key needs x and y');
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ]),
  );
}
