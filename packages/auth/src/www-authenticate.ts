export interface BearerChallenge {
  realm: string;
  /** RFC 6750 §3.1 error code; left out when the request carried no credentials at all. */
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';
  errorDescription?: string;
  /** Space-separated scopes needed, for `insufficient_scope`. */
  scope?: string;
  /** RFC 9728 §5.1: where clients find this resource's metadata. */
  resourceMetadata: string;
}

/** A `DPoP` challenge (RFC 9449 §7.1): the Bearer parameters plus `algs`, the proof algorithms accepted. */
export interface DpopChallenge extends BearerChallenge {
  algs: readonly string[];
}

// Control characters would break the header (Node refuses to send them), and RFC 6750 allows only
// printable ASCII in these values.
const NOT_PRINTABLE_ASCII = /[^\x20-\x7E]/;

/** RFC 9110 quoted-string: backslash-escapes `"` and `\`. Throws on characters a header cannot carry. */
export function quoteHeaderValue(value: string): string {
  if (NOT_PRINTABLE_ASCII.test(value)) {
    throw new TypeError(
      `WWW-Authenticate parameter contains a non-printable or non-ASCII character: ${JSON.stringify(value)}`,
    );
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function formatChallenge(scheme: string, params: Array<[string, string | undefined]>): string {
  const rendered = params
    .filter((param): param is [string, string] => param[1] !== undefined)
    .map(([name, value]) => `${name}=${quoteHeaderValue(value)}`);
  return `${scheme} ${rendered.join(', ')}`;
}

/** Formats `Bearer realm="…", error="…", …` with the RFC 6750 parameters in their usual order. */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  return formatChallenge('Bearer', [
    ['realm', challenge.realm],
    ['error', challenge.error],
    ['error_description', challenge.errorDescription],
    ['scope', challenge.scope],
    ['resource_metadata', challenge.resourceMetadata],
  ]);
}

/** Formats `DPoP realm="…", error="…", …, algs="ES256 …"` (RFC 9449 §7.1). */
export function formatDpopChallenge(challenge: DpopChallenge): string {
  return formatChallenge('DPoP', [
    ['realm', challenge.realm],
    ['error', challenge.error],
    ['error_description', challenge.errorDescription],
    ['scope', challenge.scope],
    ['algs', challenge.algs.join(' ')],
    ['resource_metadata', challenge.resourceMetadata],
  ]);
}
