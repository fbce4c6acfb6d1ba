// Writes bench/results/gateway.json from the figures bench/gateway/run.sh measured (it passes them as flags:
// "rps p50_ms p99_ms [rss_mib]" per target), with the date and load average of the script's start.
import { parseArgs } from 'node:util';
import { row, startRun, writeResults } from '../lib/results.ts';

const { values } = parseArgs({
  options: Object.fromEntries(
    [
      'started-at',
      'load',
      'workers',
      'threads',
      'connections',
      'duration',
      'rounds',
      'direct',
      'ours',
      'nginx',
      'bare',
    ].map((name) => [name, { type: 'string' as const }]),
  ),
});

function required(name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
}

/** "rps p50 p99 [rss]" as numbers; `–` (no RSS) becomes null. */
function figures(name: string) {
  const [rps, p50, p99, rss] = required(name)
    .split(/\s+/)
    .map((text) => (text === '–' || text === '' ? null : Number(text)));
  if ([rps, p50, p99].some((n) => n === null || n === undefined || Number.isNaN(n)))
    throw new Error(`--${name} must be "rps p50_ms p99_ms [rss_mib]", got "${required(name)}"`);
  return { rps: rps!, p50: p50!, p99: p99!, rss: rss ?? null };
}

const direct = figures('direct');
const ours = figures('ours');
const nginx = figures('nginx');
const bare = figures('bare');
const [one = 0, five = 0, fifteen = 0] = required('load').split(/\s+/).map(Number);
const { machine } = startRun();
const [workers, threads, connections, duration, rounds] = [
  'workers',
  'threads',
  'connections',
  'duration',
  'rounds',
].map(required);

const NGINX = 'nginx as reverse proxy, same workers (peer)';
const BARE = 'bare pingora, none of our features (reference)';
writeResults({
  benchmark: 'gateway',
  title: 'Gateway: pingora-proxy against nginx',
  description:
    'wrk on loopback against a trivial upstream (an nginx answering a fixed 200): through pingora-proxy, ' +
    'through an nginx reverse proxy configured the same way (upstream keep-alive, client keep-alive, access ' +
    'log off, the same `X-Forwarded-*` and `X-Request-Id` headers, the same number of workers), and through ' +
    "bare pingora (`examples/bare_pingora.rs`: the framework with none of the gateway's features), which " +
    "separates pingora's own cost from ours. Rounds alternate between the proxies; the median round by " +
    'requests/s is shown. Installs wrk and nginx from Debian when missing.',
  command: `WORKERS=${workers} THREADS=${threads} CONNECTIONS=${connections} DURATION=${duration} ROUNDS=${rounds} bash bench/gateway/run.sh`,
  date: required('started-at'),
  machine: { ...machine, loadAverage: { '1m': one, '5m': five, '15m': fifteen } },
  parameters: {
    workers: Number(workers),
    wrkThreads: Number(threads),
    connections: Number(connections),
    duration: duration!,
    rounds: Number(rounds),
  },
  rows: [
    row('throughput', 'req/s', ours.rps, { name: NGINX, value: nginx.rps }),
    row('latency p50', 'ms', ours.p50, { name: NGINX, value: nginx.p50 }, 'lower'),
    row('latency p99', 'ms', ours.p99, { name: NGINX, value: nginx.p99 }, 'lower'),
    row('resident memory', 'MiB', ours.rss, { name: NGINX, value: nginx.rss }, 'lower'),
    row('throughput', 'req/s', ours.rps, { name: BARE, value: bare.rps }),
    row('latency p99', 'ms', ours.p99, { name: BARE, value: bare.p99 }, 'lower'),
    row('throughput', 'req/s', ours.rps, { name: 'direct to the upstream, no proxy', value: direct.rps }),
  ],
  notes: [
    `Bare pingora / nginx: ${(bare.rps / nginx.rps).toFixed(2)}× throughput (pingora's own share of the gap).`,
  ],
});
