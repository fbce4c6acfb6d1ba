export type BearerCredential =
  /** No Authorization header, or one for another scheme (e.g. Basic): the request has no bearer token. */
  | { kind: 'none' }
  /** A Bearer header that does not follow RFC 6750 §2.1. */
  | { kind: 'malformed' }
  | { kind: 'token'; token: string };

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// The scheme name is case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?:[ \t]|$)/i;

/**
 * Reads the bearer token from an Authorization header value. The header is the only place a token is
 * taken from: `access_token` query parameters and form fields (RFC 6750 §2.2, §2.3) leak into logs and
 * browser history, so they are never looked at.
 */
export function parseBearerCredential(header: string | undefined): BearerCredential {
  if (header === undefined || header === '') return { kind: 'none' };
  const match = BEARER.exec(header);
  if (match) return { kind: 'token', token: match[1]! };
  return BEARER_SCHEME.test(header) ? { kind: 'malformed' } : { kind: 'none' };
}
