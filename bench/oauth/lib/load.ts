// autocannon driving one fixed form POST (the token and introspection benchmarks), and the table helpers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** CPU time the server process (all its threads) spent per answered request, in µs; NaN off Linux. */
  cpuUsPerRequest: number;
}

let clockTicks: number | undefined;
/**
 * User + system CPU time so far of a process and all its threads, or with `mainThread` of its main thread
 * alone (the event loop; Node's worker pool runs crypto and argon2 beside it), in µs (Linux /proc), or NaN.
 */
export function processCpuUs(pid: number | undefined, mainThread = false): number {
  if (pid === undefined) return Number.NaN;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1e6;
  } catch {
    return Number.NaN;
  }
}

export interface PostLoad {
  url: string;
  authorization: string;
  body: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** The server's process id, for its CPU time per request. */
  pid?: number;
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
  const cpuBefore = processCpuUs(options.pid);
  const r = await autocannon({ ...request, duration: options.seconds });
  const cpuUs = processCpuUs(options.pid) - cpuBefore;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    cpuUsPerRequest: cpuUs / Math.max(r.requests.total, 1),
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
    headers: {
      authorization,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
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
export const cpu = (n: number) => (Number.isFinite(n) ? int(n) : 'n/a');

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

/**
 * Measures each contender once per round, in turn (ours, peer, …, ours, peer, …), and keeps each one's best
 * round by throughput (on a shared machine interference only ever lowers a figure, so the best round is the
 * least disturbed one, and alternating exposes both to the same background). Failures are summed over all
 * rounds, so a clean best round never hides a failing one. The CPU time per request is the lowest of the
 * rounds: it is what the server itself spends, the figure other load on the machine disturbs least.
 */
export async function alternate(
  rounds: number,
  contenders: ReadonlyArray<() => Promise<Result>>,
): Promise<Result[]> {
  const best: Array<Result | undefined> = contenders.map(() => undefined);
  const failures = contenders.map(() => ({ errors: 0, non2xx: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, run] of contenders.entries()) {
      const r = await run();
      failures[i]!.errors += r.errors;
      failures[i]!.non2xx += r.non2xx;
      const cpuUsPerRequest = Math.min(
        r.cpuUsPerRequest,
        best[i]?.cpuUsPerRequest ?? Number.POSITIVE_INFINITY,
      );
      if (!best[i] || r.rps > best[i]!.rps) best[i] = r;
      best[i]!.cpuUsPerRequest = Number.isFinite(cpuUsPerRequest) ? cpuUsPerRequest : r.cpuUsPerRequest;
    }
  }
  return best.map((result, i) => ({ ...result!, ...failures[i]! }));
}
