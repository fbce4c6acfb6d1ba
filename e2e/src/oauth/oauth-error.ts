/** The OAuth `error` code of an openid-client failure, whether in the body or a WWW-Authenticate challenge. */
export function oauthError(error: unknown): string | undefined {
  const e = error as {
    error?: string;
    cause?: Array<{ parameters?: { error?: string } }> | { error?: string };
  };
  if (e.error) return e.error;
  if (Array.isArray(e.cause)) return e.cause[0]?.parameters?.error;
  return e.cause?.error;
}
