// What the ours-versus-peer POST benchmarks (client-credentials.ts, introspection.ts) share: their flags,
// one checked-then-loaded measurement, the table and ratio lines they print and the results file they write.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ResultRow, type RunStart, row, writeResults } from '../../lib/results.ts';
import { envPairs } from './env-pairs.ts';
import { checkedPost, cpu, int, postLoad, type Result } from './load.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses the common flags (plus `extra`) and checks them. */
export function comparisonArgs(extra: Options) {
  // Typed loosely: the extra flags vary per benchmark, and every value is read as a string below.
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
      'cpu-prof': { type: 'string' },
      // Analysis only: override oauth-service settings, e.g. --ours-env LOG_LEVEL=warn (the table says so).
      'ours-env': { type: 'string', multiple: true, default: [] },
      ...extra,
    },
  }) as { values: Record<string, string | string[] | undefined> };
  const settings = {
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    warmupSeconds: Number(values.warmup),
    rounds: Number(values.rounds),
  };
  const { seconds, connections, warmupSeconds, rounds } = settings;
  if (
    !(seconds > 0) ||
    !(connections > 0) ||
    !(warmupSeconds >= 0) ||
    !(Number.isInteger(rounds) && rounds > 0)
  ) {
    throw new Error('--seconds, --connections and --rounds must be positive, --warmup not negative');
  }
  const oursEnvFlags = values['ours-env'] as string[];
  return {
    ...settings,
    values,
    cpuProf: values['cpu-prof'] as string | undefined,
    oursEnv: envPairs(oursEnvFlags),
    /** The settings again as flags, for the "reproduce" line. */
    flags: `--seconds ${seconds} --connections ${connections} --rounds ${rounds}${oursEnvFlags.map((e) => ` --ours-env ${e}`).join('')}`,
  };
}

export type ComparisonArgs = ReturnType<typeof comparisonArgs>;

/** One request checked for the expected answer, then a warm-up and the measured load of the same request. */
export async function measurePost(
  args: ComparisonArgs,
  request: { url: string; authorization: string; body: string; pid: number | undefined },
  check: (json: Record<string, unknown>) => string | undefined,
): Promise<Result> {
  await checkedPost(request.url, request.authorization, request.body, check);
  return postLoad({
    ...request,
    connections: args.connections,
    seconds: args.seconds,
    warmupSeconds: args.warmupSeconds,
  });
}

/**
 * The table of ours beside the peer (and the "bare + duties" reference: the peer doing, as cheaply as we know
 * how, the per-request work the platform requires; peers/duties.ts) and the ratio lines; sets a failing exit code
 * if any request failed.
 */
export function printComparison(
  args: ComparisonArgs,
  table: { title: string; unit: string; shipped: string; ratioNote?: string },
  ours: Result,
  peer: Result,
  duties: Result,
): void {
  const row = (name: string, r: Result) =>
    `| ${name} | ${int(r.rps)} | ${r.p50} | ${r.p99} | ${cpu(r.cpuUsPerRequest)} | ${r.errors + r.non2xx} |`;
  console.log(
    `\n${table.title} (autocannon -c ${args.connections}, ${args.warmupSeconds} s warm-up + ${args.seconds} s,` +
      ` best of ${args.rounds} alternating rounds, Node ${process.versions.node})\n`,
  );
  console.log(`| server | ${table.unit} | p50 ms | p99 ms | server CPU µs/req | failed |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  const overrides = Object.entries(args.oursEnv).map(([k, v]) => `${k}=${v}`);
  const oursName = overrides.length
    ? `ours: SQLite, ${overrides.join(', ')} (NOT as shipped)`
    : `ours: ${table.shipped}`;
  console.log(row(`oauth-service (${oursName})`, ours));
  console.log(row('bare oidc-provider 9, in-memory (peer)', peer));
  console.log(row('peer + the required per-request duties (reference, peers/duties.ts)', duties));
  console.log(
    `\nours / peer: ${(ours.rps / peer.rps).toFixed(2)}× throughput${table.ratioNote ?? ''},` +
      ` p99 ${(ours.p99 / Math.max(peer.p99, 0.001)).toFixed(2)}×,` +
      ` server CPU per request ${(ours.cpuUsPerRequest / peer.cpuUsPerRequest).toFixed(2)}×` +
      ' (CPU per request is the figure least disturbed by other load on the machine)',
  );
  console.log(
    `reference / peer: ${(duties.rps / peer.rps).toFixed(2)}× throughput, CPU per request ` +
      `${(duties.cpuUsPerRequest / peer.cpuUsPerRequest).toFixed(2)}× (what the duties alone cost); ` +
      `ours / reference: ${(ours.rps / duties.rps).toFixed(2)}× throughput, CPU per request ` +
      `${(ours.cpuUsPerRequest / duties.cpuUsPerRequest).toFixed(2)}×`,
  );
  const failed = [ours, peer, duties].some((r) => r.errors + r.non2xx > 0);
  if (failed) process.exitCode = 1;
}

const PEER = 'bare oidc-provider 9, in-memory (peer)';
const REFERENCE = 'peer + the per-request duties, SQLite storage (reference)';

/**
 * Writes bench/results/<benchmark>.json: ours against the peer and the reference (throughput, latency, server
 * CPU per request), then `extra` rows (targets, published figures), the reference's own cost and any failures.
 */
export function writeComparison(
  args: ComparisonArgs,
  meta: { benchmark: string; title: string; description: string; command: string; unit: string },
  start: RunStart,
  results: { ours: Result; peer: Result; duties: Result },
  extra: { rows?: ResultRow[]; notes?: string[]; parameters?: Record<string, string> } = {},
): void {
  const { ours, peer, duties } = results;
  const overrides = Object.entries(args.oursEnv).map(([k, v]) => `${k}=${v}`);
  const failed = (r: Result) => r.errors + r.non2xx;
  writeResults({
    benchmark: meta.benchmark,
    title: meta.title,
    description: meta.description,
    command: meta.command,
    ...start,
    parameters: {
      connections: args.connections,
      seconds: args.seconds,
      warmupSeconds: args.warmupSeconds,
      rounds: args.rounds,
      ...extra.parameters,
      ...(overrides.length ? { oursEnv: overrides.join(' ') } : {}),
    },
    rows: [
      row('throughput', meta.unit, ours.rps, { name: PEER, value: peer.rps }),
      row('throughput', meta.unit, ours.rps, { name: REFERENCE, value: duties.rps }),
      row('latency p50', 'ms', ours.p50, { name: PEER, value: peer.p50 }, 'lower'),
      row('latency p99', 'ms', ours.p99, { name: PEER, value: peer.p99 }, 'lower'),
      row(
        'server CPU per request',
        'µs',
        ours.cpuUsPerRequest,
        { name: PEER, value: peer.cpuUsPerRequest },
        'lower',
      ),
      row(
        'server CPU per request',
        'µs',
        ours.cpuUsPerRequest,
        { name: REFERENCE, value: duties.cpuUsPerRequest },
        'lower',
      ),
      ...(extra.rows ?? []),
    ],
    notes: [
      `What the duties alone cost, reference / peer: ${(duties.rps / peer.rps).toFixed(2)}× throughput, ` +
        `${(duties.cpuUsPerRequest / peer.cpuUsPerRequest).toFixed(2)}× CPU per request.`,
      ...(overrides.length ? [`Ours NOT as shipped: ${overrides.join(', ')}.`] : []),
      ...(extra.notes ?? []),
      `Failed requests: ours ${failed(ours)}, peer ${failed(peer)}, reference ${failed(duties)}.`,
    ],
  });
}
