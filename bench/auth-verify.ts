// Access-token verification throughput on one core: @platform/auth's verifier against bare jose.
//
//   taskset -c 0 node bench/auth-verify.ts [--duration 3] [--warmup 1] [--alg ES256|EdDSA] [--concurrency 32]
//
// taskset pins the process to one core. WebCrypto signature checks run on the libuv threadpool, so the
// script re-executes itself with UV_THREADPOOL_SIZE=1: one worker thread on the same core, no hidden
// parallelism. Scenarios:
//   (1) ours, JWKS cached, 1,000 distinct tokens reused round-robin (live traffic: clients reuse a token
//       for its lifetime), so nearly every call is a cache hit;
//   (2) ours, every token seen once: the cold path, a signature check per call plus hashing and caching;
//   (3) the peer: bare jose jwtVerify with a local JWKS and the same checks, on the tokens of (1), and
//   (3b) on the distinct tokens of (2). The peer has no cache, so every one of its calls is a cold one.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createTokenVerifier } from '@platform/auth';
import { createTestIssuer } from '@platform/testing';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { row, startRun, writeResults } from './lib/results.ts';

if (process.env.UV_THREADPOOL_SIZE !== '1') {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
  });
  process.exit(child.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    alg: { type: 'string', default: 'ES256' },
    concurrency: { type: 'string', default: '32' },
  },
});
const durationSec = Number(args.duration);
const warmupSec = Number(args.warmup);
const concurrency = Number(args.concurrency);
const alg = args.alg;
if (alg !== 'ES256' && alg !== 'EdDSA') throw new Error(`--alg must be ES256 or EdDSA, got ${alg}`);
if (!(durationSec > 0) || !(warmupSec >= 0) || !(Number.isInteger(concurrency) && concurrency > 0)) {
  throw new Error('--duration, --warmup and --concurrency must be positive numbers');
}

const start = startRun();
const REPEATED_TOKENS = 1_000;
const TARGET_CACHED_PER_SEC = 20_000;
const AUDIENCE = 'https://bench.example.test/notes';

interface Run {
  ops: number;
  seconds: number;
  exhausted: boolean;
}

/** Calls `verify` from `concurrency` loops for `seconds`, or until `next` runs out of tokens. */
async function run(
  seconds: number,
  next: () => string | undefined,
  verify: (token: string) => Promise<unknown>,
) {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let ops = 0;
  let exhausted = false;
  const loop = async () => {
    while (performance.now() < deadline) {
      const token = next();
      if (token === undefined) {
        exhausted = true;
        return;
      }
      await verify(token);
      ops += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { ops, seconds: (performance.now() - start) / 1000, exhausted } satisfies Run;
}

const roundRobin = (tokens: readonly string[]) => {
  let i = 0;
  return () => tokens[i++ % tokens.length];
};
const onceEach = (tokens: readonly string[]) => {
  let i = 0;
  return () => tokens[i++];
};
const rate = (result: Run) => result.ops / result.seconds;

const issuer = await createTestIssuer({ alg });
async function mintMany(count: number, offset: number): Promise<string[]> {
  const tokens: string[] = new Array(count);
  let next = 0;
  const loop = async () => {
    for (let i = next++; i < count; i = next++) {
      tokens[i] = await issuer.mint({
        client_id: `client-${(offset + i) % 50}`,
        aud: AUDIENCE,
        sub: `user-${offset + i}`,
        scope: 'notes:read notes:write profile',
        expiresIn: 3600,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return tokens;
}

const verifierOptions = { issuer: issuer.issuer, jwksUri: issuer.jwksUri, audience: AUDIENCE };
const repeated = await mintMany(REPEATED_TOKENS, 0);

// (3) The peer first: its rate sizes the pool of distinct tokens the cold runs need.
const localKeys = createLocalJWKSet(issuer.jwks());
const peerOptions = {
  issuer: issuer.issuer,
  audience: AUDIENCE,
  algorithms: ['ES256', 'EdDSA'],
  typ: 'at+jwt',
  clockTolerance: 5,
  requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
};
const peerVerify = (token: string) => jwtVerify(token, localKeys, peerOptions);
await run(warmupSec, roundRobin(repeated), peerVerify);
const peer = await run(durationSec, roundRobin(repeated), peerVerify);

// Cold runs use each token once. The pool has headroom over the peer's pace; should it still run dry,
// the rate is taken over the time actually measured.
const coldPoolSize = Math.ceil(rate(peer) * (warmupSec + durationSec) * 1.5);
const distinct = await mintMany(coldPoolSize, REPEATED_TOKENS);

// (3b) The peer on the distinct tokens too: the like-for-like reference for (2), since touching tens of
// thousands of different token strings costs more (CPU caches, GC) than cycling through 1,000.
const nextForPeer = onceEach(distinct);
await run(warmupSec, nextForPeer, peerVerify);
const peerDistinct = await run(durationSec, nextForPeer, peerVerify);

// (2) Ours, cold, on the same distinct tokens.
const coldVerifier = createTokenVerifier(verifierOptions);
await coldVerifier.verify(repeated[0]!); // fetch the JWKS outside the measurement
const nextForOurs = onceEach(distinct);
await run(warmupSec, nextForOurs, (token) => coldVerifier.verify(token));
const cold = await run(durationSec, nextForOurs, (token) => coldVerifier.verify(token));

// (1) Cached: the warm-up pass puts every one of the 1,000 tokens in the cache.
const cachedVerifier = createTokenVerifier(verifierOptions);
await run(warmupSec, roundRobin(repeated), (token) => cachedVerifier.verify(token));
const cached = await run(durationSec, roundRobin(repeated), (token) => cachedVerifier.verify(token));
const cachedStats = cachedVerifier.cacheStats();

await issuer.close();

const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (ours: Run, theirs: Run) => `${(rate(ours) / rate(theirs)).toFixed(2)}×`;
const perSec = (result: Run) =>
  `${fmt(rate(result))}${result.exhausted ? ' (token pool ran out early)' : ''}`;
const cpus = os.cpus();
console.log(`
### Access-token verification, one core (${alg}, ${concurrency} concurrent callers, ${durationSec} s per scenario after ${warmupSec} s warm-up)

| Scenario | Tokens | Verifications/s | Ours / peer |
| --- | ---: | ---: | ---: |
| (1) @platform/auth, JWKS cached, ${fmt(REPEATED_TOKENS)} tokens reused | ${fmt(REPEATED_TOKENS)} | ${perSec(cached)} | ${ratio(cached, peer)} vs (3) |
| (2) @platform/auth, every token distinct (signature checked each time) | ${fmt(cold.ops)} used once | ${perSec(cold)} | ${ratio(cold, peerDistinct)} vs (3b) |
| (3) peer: jose jwtVerify, local JWKS, the ${fmt(REPEATED_TOKENS)} tokens of (1) | ${fmt(REPEATED_TOKENS)} | ${perSec(peer)} | |
| (3b) peer: jose jwtVerify, local JWKS, the distinct tokens of (2) | ${fmt(peerDistinct.ops)} used once | ${perSec(peerDistinct)} | |

- Cache in (1): ${fmt(cachedStats.hits)} hits, ${fmt(cachedStats.misses)} misses. Target for (1): ≥ ${fmt(TARGET_CACHED_PER_SEC)}/s — ${rate(cached) >= TARGET_CACHED_PER_SEC ? 'met' : 'NOT met'}.
- Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'}, usable cores: ${os.availableParallelism()}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}.
- Reproduce: \`taskset -c 0 node bench/auth-verify.ts\` (from the repository root).`);

const unit = 'verifications/s';
const peerName = (tokens: string) => `jose jwtVerify, local JWKS, ${tokens}`;
const exhaustedNote = (name: string, result: Run) =>
  result.exhausted ? [`The token pool of ${name} ran out early; its rate is over the time measured.`] : [];
writeResults({
  benchmark: 'auth-verify',
  title: 'Access-token verification, one core',
  description:
    "`@platform/auth`'s token verifier against bare jose `jwtVerify` with a local JWKS and the same checks, " +
    'on one core (taskset, `UV_THREADPOOL_SIZE=1`), ES256 access tokens. Row 1: ours with its cache, the ' +
    'same 1,000 tokens reused round-robin (live traffic: a client reuses its token for its lifetime). ' +
    'Row 2: every token seen once, so every call checks a signature, against the peer on the same ' +
    'distinct tokens. The peer has no cache: each of its calls is a cold one.',
  command: `taskset -c 0 node bench/auth-verify.ts --duration ${durationSec} --warmup ${warmupSec} --alg ${alg} --concurrency ${concurrency}`,
  ...start,
  parameters: {
    alg,
    concurrency,
    durationSeconds: durationSec,
    warmupSeconds: warmupSec,
    reusedTokens: REPEATED_TOKENS,
    uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE),
  },
  rows: [
    row('(1) JWKS cached, 1,000 tokens reused', unit, rate(cached), {
      name: peerName('the same 1,000 tokens'),
      value: rate(peer),
    }),
    row('(2) every token distinct, signature checked each time', unit, rate(cold), {
      name: peerName('the same distinct tokens'),
      value: rate(peerDistinct),
    }),
  ],
  notes: [
    `Cache in (1): ${fmt(cachedStats.hits)} hits, ${fmt(cachedStats.misses)} misses.`,
    `Target for (1), ≥ ${fmt(TARGET_CACHED_PER_SEC)} verifications/s on one core: ${rate(cached) >= TARGET_CACHED_PER_SEC ? 'met' : 'not met'}.`,
    ...exhaustedNote('(2)', cold),
    ...exhaustedNote('the peer on distinct tokens', peerDistinct),
  ],
});
if (os.availableParallelism() > 1) {
  console.warn('\nWarning: more than one core was usable; run under `taskset -c 0` for one-core figures.');
}
