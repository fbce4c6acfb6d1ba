// Benchmark: the token endpoint under machine-to-machine load — client_credentials grants with
// client_secret_basic and a resource indicator, each answered with an ES256-signed JWT access token (RFC 9068).
// Ours: oauth-service as shipped (SQLite, NODE_ENV=production, LOG_LEVEL=info, metrics and audit on).
// Peer: bare oidc-provider 9 in its own process (in-memory adapter, one static client, same token shape and
// TTL; bench/oauth/peers/bare-provider.ts), measured in the same run, one server at a time (both processes
// stay up; the idle one costs nothing), alternating for --rounds rounds, each server's best round reported.
// --cpu-prof DIR writes a V8 profile of ours to DIR (summarise it with bench/oauth/profile-summary.ts).
//
//   node bench/oauth/client-credentials.ts [--seconds 10] [--connections 16] [--warmup 3] [--rounds 2]
import { parseArgs } from 'node:util';
import { envPairs } from './lib/env-pairs.ts';
import {
  alternate,
  checkedPost,
  cpu,
  int,
  jwtHeader,
  jwtPayload,
  postLoad,
  type Result,
} from './lib/load.ts';
import { basic, type Server, startOurs, startPeer } from './lib/servers.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    'cpu-prof': { type: 'string' },
    // Analysis only: override oauth-service settings, e.g. --ours-env LOG_LEVEL=warn (the table says so).
    'ours-env': { type: 'string', multiple: true, default: [] },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const warmupSeconds = Number(values.warmup);
const rounds = Number(values.rounds);
if (
  !(seconds > 0) ||
  !(connections > 0) ||
  !(warmupSeconds >= 0) ||
  !(Number.isInteger(rounds) && rounds > 0)
)
  throw new Error('--seconds, --connections and --rounds must be positive, --warmup not negative');

const TARGET_RATIO = 0.9;
const SCOPE = 'test:read';

async function measure(server: Server): Promise<Result> {
  const url = `${server.issuer}/oauth/token`;
  const authorization = basic('flow-service', server.machineSecret);
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    resource: server.resource,
    scope: SCOPE,
  }).toString();
  await checkedPost(url, authorization, body, (json) => {
    const header = jwtHeader(json.access_token);
    const payload = jwtPayload(json.access_token);
    if (header?.alg !== 'ES256' || header?.typ !== 'at+jwt') return 'access token is not an ES256 at+jwt';
    if (payload?.aud !== server.resource) return `aud ${String(payload?.aud)}`;
    if (json.scope !== SCOPE) return `scope ${String(json.scope)}`;
    if (json.expires_in !== 300) return `expires_in ${String(json.expires_in)}`;
    return undefined;
  });
  return postLoad({
    url,
    authorization,
    body,
    connections,
    seconds,
    warmupSeconds,
    pid: server.service.process.pid,
  });
}

const oursEnv = envPairs(values['ours-env']);
const ours = await startOurs(oursEnv, values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {});
let oursResult: Result;
let peerResult: Result;
try {
  const peer = await startPeer(ours);
  try {
    [oursResult, peerResult] = await alternate(
      rounds,
      () => measure(ours),
      () => measure(peer),
    );
  } finally {
    await peer.stop();
  }
} finally {
  await ours.stop();
}

const ratio = oursResult.rps / peerResult.rps;
const row = (name: string, r: Result) =>
  `| ${name} | ${int(r.rps)} | ${r.p50} | ${r.p99} | ${cpu(r.cpuUsPerRequest)} | ${r.errors + r.non2xx} |`;
console.log(
  `\nclient_credentials grants: POST /oauth/token, client_secret_basic, resource + scope, ES256 JWT access token` +
    ` (autocannon -c ${connections}, ${warmupSeconds} s warm-up + ${seconds} s, best of ${rounds} alternating rounds,` +
    ` Node ${process.versions.node})\n`,
);
console.log('| server | grants/s | p50 ms | p99 ms | server CPU µs/req | failed |');
console.log('|---|---:|---:|---:|---:|---:|');
const oursName = Object.keys(oursEnv).length
  ? `ours: SQLite, ${Object.entries(oursEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} (NOT as shipped)`
  : 'ours: SQLite, LOG_LEVEL=info, metrics, audit';
console.log(row(`oauth-service (${oursName})`, oursResult));
console.log(row('bare oidc-provider 9, in-memory (peer)', peerResult));
console.log(
  `\nours / peer: ${ratio.toFixed(2)}× throughput (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}),` +
    ` p99 ${(oursResult.p99 / Math.max(peerResult.p99, 0.001)).toFixed(2)}×,` +
    ` server CPU per request ${(oursResult.cpuUsPerRequest / peerResult.cpuUsPerRequest).toFixed(2)}×` +
    ' (CPU per request is the figure least disturbed by other load on the machine)',
);
console.log(
  `absolute: ${int(oursResult.rps)} grants/s on this machine. Published references: Keycloak ~120 grants/s per vCPU;` +
    ' top-tier servers ~1,000 grants/s per vCPU.',
);
console.log(
  `reproduce: node bench/oauth/client-credentials.ts --seconds ${seconds} --connections ${connections} --rounds ${rounds}${values['ours-env'].map((e) => ` --ours-env ${e}`).join('')}`,
);
if (oursResult.errors + oursResult.non2xx > 0 || peerResult.errors + peerResult.non2xx > 0)
  process.exitCode = 1;
