import { hash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  EmbeddedJWK,
  errors,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { type DpopVerifierOptions, type ResolvedDpopOptions, resolveDpopOptions } from './dpop-options.ts';
import { LruCache } from './lru-cache.ts';

/**
 * A refused DPoP proof. The message is ours (never a value the client sent), so it is safe both for logs and
 * as the `error_description` the client reads to fix its proof.
 */
export class DpopProofError extends Error {
  override name = 'DpopProofError';
}

/** What one request offers and what its proof must match (RFC 9449 §4.3). */
export interface ProofRequest {
  /** The `DPoP` header value. */
  proof: string;
  /** The HTTP method of the request. */
  method: string;
  /** The request target as received (path and query); the query and fragment are not part of `htu`. */
  target: string;
  /** The access token the proof must be bound to through `ath`. */
  accessToken: string;
  /** The token's `cnf.jkt`: the proof must be signed by that key. Null for a token bound to no key. */
  boundJkt: string | null;
}

export interface DpopVerifier {
  /** The proof algorithms accepted, for `algs` in challenges and the resource metadata. */
  readonly algorithms: readonly string[];
  /** Resolves with the JWK thumbprint of the proof's key, or rejects with a DpopProofError. */
  verify(request: ProofRequest): Promise<string>;
}

// A proof is a small JWS with a public key in it; anything this long is not one.
const MAX_PROOF_LENGTH = 8_192;
const MAX_JTI_LENGTH = 256;
// RFC 7518 §6: members that only a private (or symmetric) key has.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const REQUIRED_CLAIMS = ['iat', 'jti', 'htm', 'htu'];

/** Checks the header before any key work: wrong type or a private key in it ends the check for free. */
const proofKey: JWTVerifyGetKey = (header, token) => {
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') {
    throw new DpopProofError('the proof "typ" header must be "dpop+jwt"');
  }
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new DpopProofError('the proof "jwk" header must be a public JWK');
  }
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    // The client has just published its private key: the proof proves nothing.
    throw new DpopProofError('the proof "jwk" header must not contain private key members');
  }
  return EmbeddedJWK(header, token);
};

function claimError(error: InstanceType<typeof errors.JWTClaimValidationFailed>): DpopProofError {
  if (error.reason === 'missing') return new DpopProofError(`the proof lacks the "${error.claim}" claim`);
  if (error.claim === 'iat') return new DpopProofError('the proof "iat" is in the future');
  if (error.claim === 'typ') return new DpopProofError('the proof "typ" header must be "dpop+jwt"');
  return new DpopProofError(`the proof "${error.claim}" claim is invalid`);
}

/** Maps what jose throws to a DpopProofError without jose's `cause` (it carries the client's claims). */
function toProofError(error: unknown): unknown {
  if (error instanceof DpopProofError) return error;
  if (error instanceof errors.JWTExpired) return new DpopProofError('the proof is too old (see "iat")');
  if (error instanceof errors.JWTClaimValidationFailed) return claimError(error);
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new DpopProofError('the proof algorithm is not accepted (see "algs")');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new DpopProofError('the proof signature does not verify with its "jwk"');
  }
  if (error instanceof errors.JOSEError) return new DpopProofError('the proof is not a valid signed JWT');
  // A TypeError and the like from an unusable embedded key, or a bug: neither makes the proof acceptable.
  return new DpopProofError('the proof could not be verified', { cause: error });
}

function stringClaim(payload: JWTPayload, name: string, maxLength = Number.POSITIVE_INFINITY): string {
  const value = payload[name];
  if (typeof value !== 'string' || value === '' || value.length > maxLength) {
    throw new DpopProofError(`the proof "${name}" claim must be a non-empty string`);
  }
  return value;
}

/** `htu` without query and fragment, normalised by the URL parser (case, default port, dot segments). */
function normalizedHtu(value: string): string | null {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The public URL of this request: the configured origin and the request path, never the Host header. */
function expectedHtu(origin: string, target: string): string | null {
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  // Concatenated, not resolved: a path like `//other.host/x` must stay a path on our origin.
  return path.startsWith('/') ? normalizedHtu(`${origin}${path}`) : null;
}

function checkBinding(payload: JWTPayload, request: ProofRequest, origin: string): void {
  if (stringClaim(payload, 'htm') !== request.method) {
    throw new DpopProofError('the proof "htm" does not match the request method');
  }
  const htu = normalizedHtu(stringClaim(payload, 'htu'));
  if (htu === null || htu !== expectedHtu(origin, request.target)) {
    throw new DpopProofError('the proof "htu" does not match the request URL');
  }
  const ath = hash('sha256', request.accessToken, 'base64url');
  if (payload.ath !== ath) {
    throw new DpopProofError('the proof "ath" does not match the access token');
  }
}

/**
 * Builds a DPoP proof verifier (RFC 9449 §4.3): signature with the embedded public key (jose), `typ`, an
 * asymmetric `alg` from the allowlist, `htm`, `htu` against `publicUrl`, `iat` within the window, `ath`, the
 * key's thumbprint against the token's `cnf.jkt`, and each `jti` accepted once per key while its proof could
 * still pass the `iat` check.
 */
export function createDpopVerifier(options: DpopVerifierOptions): DpopVerifier {
  const config: ResolvedDpopOptions = resolveDpopOptions(options);
  // jti → until when (ms) a proof carrying it would still be fresh. Bounded: under a flood of distinct
  // proofs the oldest entries go first, and those are the ones closest to being refused as too old anyway.
  const seen = new LruCache<string, number>(config.replayCacheMaxEntries);
  const freshForMs = (config.maxAgeSec + config.clockToleranceSec) * 1000;

  function rememberOnce(jkt: string, jti: string, iat: number, nowMs: number): void {
    // Keyed by hash: bounded size per entry whatever the jti, and one key's jtis cannot block another's.
    const key = hash('sha256', `${jkt}.${jti}`, 'base64url');
    const until = seen.get(key);
    if (until !== undefined && until > nowMs) throw new DpopProofError('the proof has been used before');
    seen.set(key, iat * 1000 + freshForMs);
  }

  async function verify(request: ProofRequest): Promise<string> {
    if (
      typeof request.proof !== 'string' ||
      request.proof === '' ||
      request.proof.length > MAX_PROOF_LENGTH
    ) {
      throw new DpopProofError('the DPoP header is not a proof');
    }
    const nowMs = config.now();
    let verified: Awaited<ReturnType<typeof jwtVerify>>;
    try {
      verified = await jwtVerify(request.proof, proofKey, {
        typ: 'dpop+jwt',
        algorithms: config.algorithms,
        maxTokenAge: config.maxAgeSec,
        clockTolerance: config.clockToleranceSec,
        currentDate: new Date(nowMs),
        requiredClaims: REQUIRED_CLAIMS,
      });
    } catch (error) {
      throw toProofError(error);
    }
    const { payload, protectedHeader } = verified;
    const jti = stringClaim(payload, 'jti', MAX_JTI_LENGTH);
    checkBinding(payload, request, config.origin);
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
    if (request.boundJkt !== null && jkt !== request.boundJkt) {
      throw new DpopProofError('the proof is not signed by the key the access token is bound to');
    }
    // Last, so only a proof that passed every other check uses up its jti.
    rememberOnce(jkt, jti, payload.iat as number, nowMs);
    return jkt;
  }

  return { algorithms: Object.freeze([...config.algorithms]), verify };
}
