import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { JwksFetchError, TokenError, toTokenError } from './token-error.ts';

const claims = { sub: 'alice', email: 'alice@example.test' };

describe('toTokenError', () => {
  it.each<[string, unknown, string]>([
    ['an expired token', new errors.JWTExpired('exp', claims, 'exp', 'check_failed'), 'expired'],
    [
      'a future nbf',
      new errors.JWTClaimValidationFailed('nbf', claims, 'nbf', 'check_failed'),
      'not_yet_valid',
    ],
    [
      'a wrong iss',
      new errors.JWTClaimValidationFailed('iss', claims, 'iss', 'check_failed'),
      'invalid_issuer',
    ],
    [
      'a wrong aud',
      new errors.JWTClaimValidationFailed('aud', claims, 'aud', 'check_failed'),
      'invalid_audience',
    ],
    [
      'a wrong typ',
      new errors.JWTClaimValidationFailed('typ', claims, 'typ', 'check_failed'),
      'invalid_type',
    ],
    [
      'a missing claim',
      new errors.JWTClaimValidationFailed('m', claims, 'client_id', 'missing'),
      'missing_claim',
    ],
    ['a bad iat', new errors.JWTClaimValidationFailed('iat', claims, 'iat', 'invalid'), 'invalid_claim'],
    ['a refused alg', new errors.JOSEAlgNotAllowed('alg'), 'unsupported_algorithm'],
    ['a bad signature', new errors.JWSSignatureVerificationFailed(), 'invalid_signature'],
    ['an unknown kid', new errors.JWKSNoMatchingKey(), 'unknown_key'],
    ['a broken JWS', new errors.JWSInvalid('Invalid Compact JWS'), 'malformed'],
    ['a broken JWT', new errors.JWTInvalid('not an object'), 'malformed'],
    ['a JWKS timeout', new errors.JWKSTimeout(), 'jwks_unavailable'],
    ['an invalid JWKS', new errors.JWKSInvalid('bad'), 'jwks_unavailable'],
    ['a failed JWKS request', new JwksFetchError('HTTP 503'), 'jwks_unavailable'],
  ])('maps %s', (_name, error, reason) => {
    const mapped = toTokenError(error);
    expect(mapped).toBeInstanceOf(TokenError);
    expect((mapped as TokenError).reason).toBe(reason);
  });

  it('drops jose claim errors as cause, so the claims set does not end up in logs', () => {
    const mapped = toTokenError(
      new errors.JWTClaimValidationFailed('aud', claims, 'aud', 'check_failed'),
    ) as TokenError;
    expect(mapped.cause).toBeUndefined();
    expect(JSON.stringify(mapped)).not.toContain('alice');
  });

  it('keeps the cause of an unavailable JWKS, which operators need', () => {
    const cause = new JwksFetchError('HTTP 503');
    expect((toTokenError(cause) as TokenError).cause).toBe(cause);
  });

  it('returns TokenErrors and unknown errors (bugs) unchanged', () => {
    const tokenError = new TokenError('expired', 'token expired');
    const bug = new RangeError('oops');
    expect(toTokenError(tokenError)).toBe(tokenError);
    expect(toTokenError(bug)).toBe(bug);
  });
});
