// Benchmark: the token endpoint under machine-to-machine load — client_credentials grants with
// client_secret_basic and a resource indicator, each answered with an ES256-signed JWT access token (RFC 9068).
// Ours: oauth-service as shipped (SQLite, NODE_ENV=production, LOG_LEVEL=info, metrics and audit on).
// Peer: bare oidc-provider 9 in its own process (in-memory adapter, one static client, same token shape and
// TTL; bench/oauth/peers/bare-provider.ts), measured in the same run, one server at a time (both processes
// stay up; the idle one costs nothing), alternating for --rounds rounds, each server's best round reported.
// Reference, in the same rounds: the peer plus the per-request duties every server here must do (request id, access
// log line, HTTP metrics, the issued-token counter, an audit row per token, storage on SQLite), each done as
// cheaply as we know how (bench/oauth/peers/duties.ts): what the requirements cost by themselves, apart from how we built them.
// --cpu-prof DIR writes V8 profiles of ours to DIR, the peer's to DIR/peer and the reference's to
// DIR/duties (summarise them with bench/oauth/profile-summary.ts).
//
//   node bench/oauth/client-credentials.ts [--seconds 10] [--connections 16] [--warmup 3] [--rounds 2]

import { startRun } from '../lib/results.ts';
import { comparisonArgs, measurePost, printComparison, writeComparison } from './lib/comparison.ts';
import { alternate, int, jwtHeader, jwtPayload, type Result } from './lib/load.ts';
import { basic, type Server, startOurs, startPeers } from './lib/servers.ts';

const args = comparisonArgs({});

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
  return measurePost(args, { url, authorization, body, pid: server.service.process.pid }, (json) => {
    const header = jwtHeader(json.access_token);
    const payload = jwtPayload(json.access_token);
    if (header?.alg !== 'ES256' || header?.typ !== 'at+jwt') return 'access token is not an ES256 at+jwt';
    if (payload?.aud !== server.resource) return `aud ${String(payload?.aud)}`;
    if (json.scope !== SCOPE) return `scope ${String(json.scope)}`;
    if (json.expires_in !== 300) return `expires_in ${String(json.expires_in)}`;
    return undefined;
  });
}

const start = startRun();
const ours = await startOurs(args.oursEnv, args.cpuProf ? { cpuProfDir: args.cpuProf } : {});
let oursResult: Result;
let peerResult: Result;
let dutiesResult: Result;
try {
  const { peer, duties, stop } = await startPeers(ours, args.cpuProf);
  try {
    [oursResult, peerResult, dutiesResult] = (await alternate(args.rounds, [
      () => measure(ours),
      () => measure(peer),
      () => measure(duties),
    ])) as [Result, Result, Result];
  } finally {
    await stop();
  }
} finally {
  await ours.stop();
}

const ratio = oursResult.rps / peerResult.rps;
printComparison(
  args,
  {
    title:
      'client_credentials grants: POST /oauth/token, client_secret_basic, resource + scope, ES256 JWT access token',
    unit: 'grants/s',
    shipped: 'SQLite, LOG_LEVEL=info, metrics, audit',
    ratioNote: ` (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
  },
  oursResult,
  peerResult,
  dutiesResult,
);
console.log(
  `absolute: ${int(oursResult.rps)} grants/s on this machine. Published references: Keycloak ~120 grants/s per vCPU;` +
    ' top-tier servers ~1,000 grants/s per vCPU.',
);
console.log(`reproduce: node bench/oauth/client-credentials.ts ${args.flags}`);
writeComparison(
  args,
  {
    benchmark: 'client-credentials',
    title: 'oauth-service token endpoint: client_credentials grants',
    description:
      '`POST /oauth/token` with `grant_type=client_credentials`, `client_secret_basic`, a resource indicator ' +
      'and a scope, each answered with an ES256 JWT access token (RFC 9068). Ours: oauth-service as shipped ' +
      '(SQLite, `NODE_ENV=production`, `LOG_LEVEL=info`, metrics and audit on). Peer: bare oidc-provider 9 in ' +
      'its own process (in-memory adapter, one static client, same token shape and TTL; ' +
      '`bench/oauth/peers/bare-provider.ts`). Reference: the peer plus the per-request duties every server ' +
      'here must do (request id, access log line, HTTP metrics, issued-token counter, an audit row per token, ' +
      'storage on SQLite), each as cheaply as we know how (`bench/oauth/peers/duties.ts`). One server at a ' +
      "time, alternating rounds, each server's best round.",
    command: `node bench/oauth/client-credentials.ts ${args.flags}`,
    unit: 'grants/s',
  },
  start,
  { ours: oursResult, peer: peerResult, duties: dutiesResult },
  {
    notes: [
      `Target, ours / peer ≥ ${TARGET_RATIO}× in throughput: ${ratio >= TARGET_RATIO ? 'met' : 'not met'}.`,
      'Published references, not measured here: Keycloak ~120 grants/s per vCPU; top-tier servers ~1,000 grants/s per vCPU.',
    ],
  },
);
