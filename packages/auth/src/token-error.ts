import { errors } from 'jose';

/** Why an access token was refused. Every reason but `jwks_unavailable` is the token's fault. */
export type TokenErrorReason =
  | 'malformed'
  | 'invalid_type'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'invalid_signature'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_claim'
  | 'invalid_claim'
  /** The issuer's keys could not be fetched; the token may well be fine. */
  | 'jwks_unavailable';

/**
 * A refused access token. The message is for operators and never contains the token; clients get a
 * generic description chosen from `reason` by the bearer plugin.
 */
export class TokenError extends Error {
  override name = 'TokenError';
  readonly reason: TokenErrorReason;

  constructor(reason: TokenErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** Raised by our JWKS fetch wrapper, so a network failure is told apart from a bug. */
export class JwksFetchError extends Error {
  override name = 'JwksFetchError';
}

const CLAIM_REASONS: Record<string, TokenErrorReason> = {
  iss: 'invalid_issuer',
  aud: 'invalid_audience',
  typ: 'invalid_type',
  nbf: 'not_yet_valid',
};

/**
 * Maps what jose throws to a TokenError. Claim-check errors are rebuilt without their `cause`, because
 * jose attaches the whole claims set to it and that should not travel into logs. Unknown errors are
 * returned unchanged: they are bugs, not bad tokens.
 */
export function toTokenError(error: unknown): unknown {
  if (error instanceof TokenError) return error;
  if (error instanceof JwksFetchError)
    return new TokenError('jwks_unavailable', error.message, { cause: error });
  if (error instanceof errors.JWTExpired) return new TokenError('expired', 'token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing')
      return new TokenError('missing_claim', `missing required "${error.claim}" claim`);
    return new TokenError(CLAIM_REASONS[error.claim] ?? 'invalid_claim', error.message);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new TokenError('unsupported_algorithm', error.message);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new TokenError('invalid_signature', error.message);
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenError('unknown_key', error.message);
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return new TokenError('malformed', error.message);
  }
  // What remains from jose is about the key set itself: timeouts, an unparsable or invalid JWKS, a bad JWK.
  if (error instanceof errors.JOSEError)
    return new TokenError('jwks_unavailable', error.message, { cause: error });
  return error;
}
