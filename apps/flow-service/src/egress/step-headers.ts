// Request headers a step author may not set: the ones that choose where a request goes or how it is framed
// (Host, forwarding headers a proxy would trust, hop-by-hop and length headers) and the credential flow-service
// attaches itself. The connection is pinned to the checked address; these keep the request itself honest.
const FORBIDDEN = new Set([
  'host',
  'authorization',
  'proxy-authorization',
  'forwarded',
  'via',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
]);

/** Names in `headers` a step may not set (compared case-insensitively). */
export function forbiddenHeaders(headers: Record<string, string> | undefined): string[] {
  return Object.keys(headers ?? {}).filter((name) => {
    const lower = name.toLowerCase();
    return FORBIDDEN.has(lower) || lower.startsWith('x-forwarded-');
  });
}

/** The author's headers with lower-case names, so flow-service's own headers replace rather than join them. */
export function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}
