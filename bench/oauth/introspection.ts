// Benchmark: token introspection (RFC 7662) of a stored, opaque token — what a resource server that does not
// verify JWTs itself asks on every request. Ours: oauth-service on SQLite (NODE_ENV=production,
// LOG_LEVEL=info), introspecting the refresh token (or, with --token access, the opaque userinfo access
// token) that one authorization-code flow through the HTML sign-in and consent pages left, authenticated as
// the admin-portal client. Peer: bare oidc-provider 9 in its own process with its in-memory adapter,
// introspecting the same kind of token it issued for a grant (bench/oauth/peers/bare-provider.ts).
//
//   node bench/oauth/introspection.ts [--seconds 10] [--connections 16] [--warmup 3] [--token refresh|access]
import { parseArgs } from 'node:util';
import { codeFlow, portalConfig } from './lib/flows.ts';
import { checkedPost, int, postLoad, type Result } from './lib/load.ts';
import { basic, type Server, startOurs, startPeer } from './lib/servers.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '3' },
    token: { type: 'string', default: 'refresh' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const warmupSeconds = Number(values.warmup);
const kind = values.token;
if (kind !== 'refresh' && kind !== 'access') throw new Error('--token must be refresh or access');
if (!(seconds > 0) || !(connections > 0) || !(warmupSeconds >= 0))
  throw new Error('--seconds and --connections must be positive, --warmup not negative');

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
  return postLoad({ url, authorization, body, connections, seconds, warmupSeconds });
}

const ours = await startOurs();
let oursResult: Result;
try {
  // One real flow (prompt=consent, so offline_access yields a refresh token; no resource, so the access
  // token is the opaque one for userinfo).
  const tokens = await codeFlow(ours, await portalConfig(ours), { params: { prompt: 'consent' } });
  const token = kind === 'refresh' ? tokens.refresh_token : tokens.access_token;
  if (!token || token.split('.').length !== 1) throw new Error(`the flow gave no opaque ${kind} token`);
  oursResult = await measure(ours, token);
} finally {
  await ours.stop();
}
const peer = await startPeer(ours);
let peerResult: Result;
try {
  peerResult = await measure(peer, kind === 'refresh' ? peer.tokens.refresh_token : peer.tokens.access_token);
} finally {
  await peer.stop();
}

const row = (name: string, r: Result) =>
  `| ${name} | ${int(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors + r.non2xx} |`;
console.log(
  `\nintrospection of an opaque ${kind} token: POST /oauth/introspect, client_secret_basic (admin-portal),` +
    ` token_type_hint=${kind}_token (autocannon -c ${connections}, ${warmupSeconds} s warm-up + ${seconds} s, Node ${process.versions.node})\n`,
);
console.log('| server | introspections/s | p50 ms | p99 ms | failed |');
console.log('|---|---:|---:|---:|---:|');
console.log(row('oauth-service (ours: SQLite, LOG_LEVEL=info, metrics)', oursResult));
console.log(row('bare oidc-provider 9, in-memory (peer)', peerResult));
console.log(
  `\nours / peer: ${(oursResult.rps / peerResult.rps).toFixed(2)}× throughput,` +
    ` p99 ${(oursResult.p99 / Math.max(peerResult.p99, 0.001)).toFixed(2)}×`,
);
console.log(
  `target ≥ ${int(TARGET_RPS)}/s (Ory Hydra published 7,934/s on 2 CPUs, in-memory): ` +
    `${oursResult.rps >= TARGET_RPS ? 'met' : 'NOT met'} by ours (${int(oursResult.rps)}/s).`,
);
console.log(`reproduce: node bench/oauth/introspection.ts --seconds 10 --connections 16 --token ${kind}`);
if (oursResult.errors + oursResult.non2xx > 0 || peerResult.errors + peerResult.non2xx > 0)
  process.exitCode = 1;
