// What the audit log keeps of an event's `details`: plain JSON, bounded in size, with anything that looks
// like a secret removed. Stripping is by key name and, as a backstop, by value shape (JWTs, password
// hashes, PEM keys), because a caller passing a whole request body must not leak its credentials.

// A key is dropped when one of its words is one of these (`refresh_token`, `clientSecret`, `new-password`).
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'code',
  'codes',
  'key',
  'keys',
  'apikey',
  'credential',
  'credentials',
  'cookie',
  'cookies',
  'authorization',
  'assertion',
  'otp',
  'totp',
  'pin',
  'hash',
  'salt',
  'signature',
  'verifier',
  'jwt',
  'jwk',
  'jwks',
  'private',
  'bearer',
]);
// ... or contains one of these anywhere, for keys written without separators (`accesstoken`, `APIKEY`).
const SECRET_SUBSTRINGS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'credential',
  'cookie',
  'private',
];
// ... unless its last word says it describes a secret rather than holds one (`token_type`, `key_id`,
// `token_endpoint_auth_method`, `code_challenge_method`).
const DESCRIPTIVE_LAST_WORDS = new Set([
  'type',
  'types',
  'id',
  'ids',
  'count',
  'ttl',
  'method',
  'methods',
  'length',
  'format',
  'endpoint',
  'alg',
]);

const SECRET_VALUE = [
  /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/, // a JWS/JWT
  /^\$argon2(id|i|d)\$/, // a password hash
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretKey(key: string): boolean {
  const parts = words(key);
  if (parts.length === 0) return false;
  if (DESCRIPTIVE_LAST_WORDS.has(parts.at(-1)!)) return false;
  const flat = parts.join('');
  return parts.some((part) => SECRET_WORDS.has(part)) || SECRET_SUBSTRINGS.some((s) => flat.includes(s));
}

export const DETAILS_LIMITS = {
  depth: 6,
  keys: 50,
  items: 50,
  keyLength: 64,
  stringLength: 1000,
  /** Serialized size of the whole document; past it only `{ "truncated": true }` is kept. */
  bytes: 16_384,
};

// NUL cannot be stored in PostgreSQL text/jsonb; other controls could forge lines in exports and UIs.
const CONTROLS = /[\p{Cc}\u2028\u2029]/gu;

export function cleanText(value: string, max: number): string {
  let text = value.replace(CONTROLS, '\uFFFD');
  if (text.length > max) {
    text = text.slice(0, max);
    // Do not leave half of a surrogate pair at the cut.
    if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
  }
  return text;
}

function sanitize(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    if (SECRET_VALUE.some((pattern) => pattern.test(value))) return undefined;
    return cleanText(value, DETAILS_LIMITS.stringLength);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object' || depth >= DETAILS_LIMITS.depth) return undefined;
  if (Array.isArray(value)) {
    return value
      .slice(0, DETAILS_LIMITS.items)
      .map((item) => sanitize(item, depth + 1))
      .filter((item) => item !== undefined);
  }
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, item] of Object.entries(value)) {
    if (kept >= DETAILS_LIMITS.keys) break;
    // Booleans cannot carry a secret: `{ passwordChanged: true }` is worth keeping.
    if (typeof item !== 'boolean' && isSecretKey(key)) continue;
    const clean = sanitize(item, depth + 1);
    if (clean === undefined) continue;
    out[cleanText(key, DETAILS_LIMITS.keyLength)] = clean;
    kept += 1;
  }
  return out;
}

/** The JSON text to store for `details`; throws when it is not a plain object. */
export function redactDetails(details: unknown): string {
  if (details === undefined || details === null) return '{}';
  if (typeof details !== 'object' || Array.isArray(details)) {
    throw new TypeError('audit event details must be a plain object');
  }
  const json = JSON.stringify(sanitize(details, 0));
  return Buffer.byteLength(json) > DETAILS_LIMITS.bytes ? '{"truncated":true}' : json;
}
