// Benchmark: token introspection (RFC 7662) of a stored, opaque token — what a resource server that does not
// verify JWTs itself asks on every request. Ours: oauth-service on SQLite (NODE_ENV=production,
// LOG_LEVEL=info), introspecting the refresh token (or, with --token access, the opaque userinfo access
// token) that one authorization-code flow through the HTML sign-in and consent pages left, authenticated as
// the admin-portal client. Peer: bare oidc-provider 9 in its own process with its in-memory adapter,
// introspecting the same kind of token it issued for a grant (bench/oauth/peers/bare-provider.ts). Reference:
// the peer plus the per-request duties every server here must do (request id, access log line, HTTP metrics, and its
// tokens stored on SQLite; bench/oauth/peers/duties.ts). One server at a time, alternating for --rounds rounds, each server's best
// round reported. --cpu-prof DIR writes V8 profiles of ours to DIR, the peer's to DIR/peer and the
// reference's to DIR/duties (summarise them with bench/oauth/profile-summary.ts).
//
//   node bench/oauth/introspection.ts [--seconds 10] [--connections 16] [--warmup 3] [--rounds 2]
//                                     [--token refresh|access]

import { row, startRun } from '../lib/results.ts';
import { comparisonArgs, measurePost, printComparison, writeComparison } from './lib/comparison.ts';
import { codeFlow, portalConfig } from './lib/flows.ts';
import { alternate, int, type Result } from './lib/load.ts';
import { basic, type Server, startOurs, startPeers } from './lib/servers.ts';

const args = comparisonArgs({ token: { type: 'string', default: 'refresh' } });
const kind = args.values.token;
if (kind !== 'refresh' && kind !== 'access') throw new Error('--token must be refresh or access');

const TARGET_RPS = 8_000;

async function measure(server: Server, token: string): Promise<Result> {
  const url = `${server.issuer}/oauth/introspect`;
  const authorization = basic('admin-portal', server.portalSecret);
  const body = new URLSearchParams({ token, token_type_hint: `${kind}_token` }).toString();
  return measurePost(args, { url, authorization, body, pid: server.service.process.pid }, (json) => {
    if (json.active !== true) return 'token not active';
    if (json.client_id !== 'admin-portal') return `client_id ${String(json.client_id)}`;
    return undefined;
  });
}

const start = startRun();
const ours = await startOurs(args.oursEnv, args.cpuProf ? { cpuProfDir: args.cpuProf } : {});
let oursResult: Result;
let peerResult: Result;
let dutiesResult: Result;
try {
  // One real flow (prompt=consent, so offline_access yields a refresh token; no resource, so the access
  // token is the opaque one for userinfo).
  const tokens = await codeFlow(ours, await portalConfig(ours), { params: { prompt: 'consent' } });
  const token = kind === 'refresh' ? tokens.refresh_token : tokens.access_token;
  if (typeof token !== 'string' || token === '' || token.includes('.'))
    throw new Error(`the flow gave no opaque ${kind} token`);
  const { peer, duties, stop } = await startPeers(ours, args.cpuProf);
  const peerToken = kind === 'refresh' ? peer.tokens.refresh_token : peer.tokens.access_token;
  const dutiesToken = kind === 'refresh' ? duties.tokens.refresh_token : duties.tokens.access_token;
  try {
    [oursResult, peerResult, dutiesResult] = (await alternate(args.rounds, [
      () => measure(ours, token),
      () => measure(peer, peerToken),
      () => measure(duties, dutiesToken),
    ])) as [Result, Result, Result];
  } finally {
    await stop();
  }
} finally {
  await ours.stop();
}

printComparison(
  args,
  {
    title: `introspection of an opaque ${kind} token: POST /oauth/introspect, client_secret_basic (admin-portal), token_type_hint=${kind}_token`,
    unit: 'introspections/s',
    shipped: 'SQLite, LOG_LEVEL=info, metrics',
  },
  oursResult,
  peerResult,
  dutiesResult,
);
console.log(
  `target ≥ ${int(TARGET_RPS)}/s (Ory Hydra published 7,934/s on 2 CPUs, in-memory): ` +
    `${oursResult.rps >= TARGET_RPS ? 'met' : 'NOT met'} by ours (${int(oursResult.rps)}/s).`,
);
console.log(`reproduce: node bench/oauth/introspection.ts ${args.flags} --token ${kind}`);
writeComparison(
  args,
  {
    benchmark: 'introspection',
    title: 'oauth-service token introspection',
    description:
      '`POST /oauth/introspect` (RFC 7662) of a stored, opaque token, authenticated as the admin-portal ' +
      'client: what a resource server that does not verify JWTs itself asks on every request. Ours: ' +
      'oauth-service on SQLite as shipped, introspecting the refresh token (or, with `--token access`, the ' +
      'opaque userinfo access token) of one authorization-code flow through the sign-in and consent pages. ' +
      'Peer: bare oidc-provider 9 with its in-memory adapter, introspecting the same kind of token it issued ' +
      '(`bench/oauth/peers/bare-provider.ts`). Reference: the peer plus the per-request duties (request id, ' +
      'access log line, HTTP metrics) and its tokens stored on SQLite (`bench/oauth/peers/duties.ts`). One ' +
      "server at a time, alternating rounds, each server's best round.",
    command: `node bench/oauth/introspection.ts ${args.flags} --token ${kind}`,
    unit: 'introspections/s',
  },
  start,
  { ours: oursResult, peer: peerResult, duties: dutiesResult },
  {
    parameters: { token: kind },
    rows: [
      row('throughput', 'introspections/s', oursResult.rps, { name: 'target', value: TARGET_RPS }),
      row('throughput', 'introspections/s', oursResult.rps, {
        name: 'Ory Hydra, published (2 CPUs, in-memory; not measured here)',
        value: 7_934,
      }),
    ],
  },
);
