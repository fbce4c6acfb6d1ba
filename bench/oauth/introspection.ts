// Benchmark: token introspection (RFC 7662) of a stored, opaque token — what a resource server that does not
// verify JWTs itself asks on every request. Ours: oauth-service on SQLite (NODE_ENV=production,
// LOG_LEVEL=info), introspecting the refresh token (or, with --token access, the opaque userinfo access
// token) that one authorization-code flow through the HTML sign-in and consent pages left, authenticated as
// the admin-portal client. Peer: bare oidc-provider 9 in its own process with its in-memory adapter,
// introspecting the same kind of token it issued for a grant (bench/oauth/peers/bare-provider.ts). One server
// at a time, alternating for --rounds rounds, each server's best round reported. --cpu-prof DIR writes a V8
// profile of ours to DIR (summarise it with bench/oauth/profile-summary.ts).
//
//   node bench/oauth/introspection.ts [--seconds 10] [--connections 16] [--warmup 3] [--rounds 2]
//                                     [--token refresh|access]
import { parseArgs } from 'node:util';
import { envPairs } from './lib/env-pairs.ts';
import { codeFlow, portalConfig } from './lib/flows.ts';
import { alternate, checkedPost, cpu, int, postLoad, type Result } from './lib/load.ts';
import { basic, type Server, startOurs, startPeer } from './lib/servers.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '3' },
    token: { type: 'string', default: 'refresh' },
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
const kind = values.token;
if (kind !== 'refresh' && kind !== 'access') throw new Error('--token must be refresh or access');
if (
  !(seconds > 0) ||
  !(connections > 0) ||
  !(warmupSeconds >= 0) ||
  !(Number.isInteger(rounds) && rounds > 0)
)
  throw new Error('--seconds, --connections and --rounds must be positive, --warmup not negative');

const TARGET_RPS = 8_000;

async function measure(server: Server, token: string): Promise<Result> {
  const url = `${server.issuer}/oauth/introspect`;
  const authorization = basic('admin-portal', server.portalSecret);
  const body = new URLSearchParams({ token, token_type_hint: `${kind}_token` }).toString();
  await checkedPost(url, authorization, body, (json) => {
    if (json.active !== true) return 'token not active';
    if (json.client_id !== 'admin-portal') return `client_id ${String(json.client_id)}`;
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
  // One real flow (prompt=consent, so offline_access yields a refresh token; no resource, so the access
  // token is the opaque one for userinfo).
  const tokens = await codeFlow(ours, await portalConfig(ours), { params: { prompt: 'consent' } });
  const token = kind === 'refresh' ? tokens.refresh_token : tokens.access_token;
  if (typeof token !== 'string' || token === '' || token.includes('.'))
    throw new Error(`the flow gave no opaque ${kind} token`);
  const peer = await startPeer(ours);
  const peerToken = kind === 'refresh' ? peer.tokens.refresh_token : peer.tokens.access_token;
  try {
    [oursResult, peerResult] = await alternate(
      rounds,
      () => measure(ours, token),
      () => measure(peer, peerToken),
    );
  } finally {
    await peer.stop();
  }
} finally {
  await ours.stop();
}

const row = (name: string, r: Result) =>
  `| ${name} | ${int(r.rps)} | ${r.p50} | ${r.p99} | ${cpu(r.cpuUsPerRequest)} | ${r.errors + r.non2xx} |`;
console.log(
  `\nintrospection of an opaque ${kind} token: POST /oauth/introspect, client_secret_basic (admin-portal),` +
    ` token_type_hint=${kind}_token (autocannon -c ${connections}, ${warmupSeconds} s warm-up + ${seconds} s,` +
    ` best of ${rounds} alternating rounds, Node ${process.versions.node})\n`,
);
console.log('| server | introspections/s | p50 ms | p99 ms | server CPU µs/req | failed |');
console.log('|---|---:|---:|---:|---:|---:|');
const oursName = Object.keys(oursEnv).length
  ? `ours: SQLite, ${Object.entries(oursEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} (NOT as shipped)`
  : 'ours: SQLite, LOG_LEVEL=info, metrics';
console.log(row(`oauth-service (${oursName})`, oursResult));
console.log(row('bare oidc-provider 9, in-memory (peer)', peerResult));
console.log(
  `\nours / peer: ${(oursResult.rps / peerResult.rps).toFixed(2)}× throughput,` +
    ` p99 ${(oursResult.p99 / Math.max(peerResult.p99, 0.001)).toFixed(2)}×,` +
    ` server CPU per request ${(oursResult.cpuUsPerRequest / peerResult.cpuUsPerRequest).toFixed(2)}×` +
    ' (CPU per request is the figure least disturbed by other load on the machine)',
);
console.log(
  `target ≥ ${int(TARGET_RPS)}/s (Ory Hydra published 7,934/s on 2 CPUs, in-memory): ` +
    `${oursResult.rps >= TARGET_RPS ? 'met' : 'NOT met'} by ours (${int(oursResult.rps)}/s).`,
);
console.log(
  `reproduce: node bench/oauth/introspection.ts --seconds ${seconds} --connections ${connections} --rounds ${rounds} --token ${kind}${values['ours-env'].map((e) => ` --ours-env ${e}`).join('')}`,
);
if (oursResult.errors + oursResult.non2xx > 0 || peerResult.errors + peerResult.non2xx > 0)
  process.exitCode = 1;
