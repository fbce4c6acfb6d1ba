// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), i.e. printable ASCII without space, `"`, `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/** Throws a TypeError naming `where` unless every entry is a valid RFC 6749 scope token. */
export function assertScopeTokens(
  where: string,
  scopes: readonly unknown[],
): asserts scopes is readonly string[] {
  for (const scope of scopes) {
    if (!isScopeToken(scope))
      throw new TypeError(`${where}: ${JSON.stringify(scope)} is not a valid OAuth scope`);
  }
}
