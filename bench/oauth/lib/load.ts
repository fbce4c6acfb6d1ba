// autocannon driving one fixed form POST (the token and introspection benchmarks), and the table helpers.
import autocannon from 'autocannon';

export interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface PostLoad {
  url: string;
  authorization: string;
  body: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/** A warm-up run (JIT, caches, connections), then the measured run. */
export async function postLoad(options: PostLoad): Promise<Result> {
  const request = {
    url: options.url,
    method: 'POST' as const,
    headers: {
      authorization: options.authorization,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: options.body,
    connections: options.connections,
  };
  if (options.warmupSeconds > 0) await autocannon({ ...request, duration: options.warmupSeconds });
  const r = await autocannon({ ...request, duration: options.seconds });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** One request, checked, before any load: a benchmark of error responses measures nothing. */
export async function checkedPost(
  url: string,
  authorization: string,
  body: string,
  check: (json: Record<string, unknown>) => string | undefined,
): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {}
  const problem = res.status !== 200 ? `status ${res.status}` : check(json);
  if (problem) throw new Error(`POST ${url} is not answered as expected (${problem}): ${text.slice(0, 500)}`);
  return json;
}

export const int = (n: number) => Math.round(n).toLocaleString('en');

/** The payload of a JWT, unverified (a sanity check of the response shape, not a verification). */
export function jwtPayload(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.split('.').length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  } catch {
    return undefined;
  }
}

export function jwtHeader(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.split('.').length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  } catch {
    return undefined;
  }
}
