export type AuthorizationCredential =
  /** No Authorization header, or one for another scheme (e.g. Basic): the request has no access token. */
  | { kind: 'none' }
  /** A Bearer or DPoP header that does not follow RFC 6750 §2.1 / RFC 9449 §7.1. */
  | { kind: 'malformed' }
  | { kind: 'token'; scheme: 'bearer' | 'dpop'; token: string };

// RFC 6750 §2.1 and RFC 9449 §7.1: credentials = ("Bearer" / "DPoP") 1*SP token68, where
// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". Scheme names are case-insensitive
// (RFC 9110 §11.1). One credential per header: `Bearer x, DPoP y` is malformed, not two tokens.
const CREDENTIAL = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;
const TOKEN_SCHEME = /^(?:Bearer|DPoP)(?:[ \t]|$)/i;

/**
 * Reads the access token from an Authorization header value. The header is the only place a token is
 * taken from: `access_token` query parameters and form fields (RFC 6750 §2.2, §2.3) leak into logs and
 * browser history, so they are never looked at.
 */
export function parseAuthorization(header: string | undefined): AuthorizationCredential {
  if (header === undefined || header === '') return { kind: 'none' };
  const match = CREDENTIAL.exec(header);
  if (match) {
    const scheme = match[1]!.toLowerCase() === 'dpop' ? 'dpop' : 'bearer';
    return { kind: 'token', scheme, token: match[2]! };
  }
  return TOKEN_SCHEME.test(header) ? { kind: 'malformed' } : { kind: 'none' };
}

/** How many times a header field occurs in a request's raw headers (Node keeps only the first Authorization). */
export function headerCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) count += 1;
  }
  return count;
}
