// Benchmark: interactive sign-ins — complete authorization-code + PKCE flows per second, through
// oauth-service's HTML pages: authorize → sign-in page → POST credentials (argon2id verification) →
// consent page → POST consent → code → token exchange (openid-client, client_secret_basic, PKCE S256).
// `--flows` flows run concurrently, each in a fresh browser (no session), for `--seconds`.
//
// There is no fair peer: a bare oidc-provider has no accounts and hashes no passwords, and the password hash
// is the dominant, deliberate cost. So ours is shown alone, beside what explains it, all measured in this run:
//   (a) the full flow with the consent page (prompt=consent), to a third-party client;
//   (b) the sign-in page only: the admin portal, first-party, shows no consent page (as on every sign-in
//       with a remembered consent);
//   (c) the flow with a live session (no password, no consent: authorize → code → token), the protocol's cost;
//   (d) the ceiling argon2id itself allows on this machine: verifications/s of one hash with ARGON2_PARAMS,
//       `--flows` at a time on the libuv pool, in this process, before the server starts;
//   (e) the password, then a TOTP code on the second-factor page (the client sends acr_values for MFA), and
//   (f) a passkey alone from the sign-in page, each as a share of the password alone (b).
// The flows sign in a user with no role (the seeded admin's role requires a second factor in production); (e)
// and (f) users are made in the service's database before their runs (see lib/sign-in-users.ts).
// The per-IP sign-in limit is raised (LOGIN_IP_LIMIT_PER_MINUTE) so every flow, all from 127.0.0.1, is admitted;
// the lockout never triggers (the password is right) and LOGIN_MAX_FAILURES is raised anyway.
//
// --cpu-prof DIR writes a V8 profile of the service to DIR (summarise it with bench/oauth/profile-summary.ts).
//
//   node bench/oauth/sign-in.ts [--seconds 10] [--flows 8] [--warmup 2]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  ARGON2_PARAMS,
  hashPassword,
  verifyPassword,
} from '../../apps/oauth-service/src/accounts/passwords.ts';
import { row as resultRow, startRun, writeResults } from '../lib/results.ts';
import { Browser, codeFlow, type FlowSteps, portalConfig, thirdPartyConfig } from './lib/flows.ts';
import { int, processCpuUs } from './lib/load.ts';
import { ADMIN, startOurs } from './lib/servers.ts';
import { createPasskeySignIns, createTotpUsers, totpSignIns } from './lib/sign-in-users.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    flows: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    'cpu-prof': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.flows);
const warmupSeconds = Number(values.warmup);
if (!(seconds > 0) || !(Number.isInteger(concurrency) && concurrency > 0) || !(warmupSeconds >= 0))
  throw new Error('--seconds and --flows must be positive, --warmup not negative');

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
  done: number;
  failed: number;
  steps: FlowSteps;
  /** CPU time per completed flow of the measured process (all threads), in ms. */
  cpuMsPerFlow: number;
  /** The same, of its main thread (the event loop) alone. */
  mainMsPerFlow: number;
  firstError?: unknown;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;

/**
 * `concurrency` workers repeating `one` until the time is up; a flow counts when it started in time. `pid` is
 * the process doing the work (the server, or this process for argon2 alone), for its CPU time.
 */
async function closedLoop(
  durationSec: number,
  one: (worker: number, steps: FlowSteps) => Promise<unknown>,
  pid: number | undefined,
) {
  const steps: FlowSteps = { signIns: 0, secondFactors: 0, consents: 0 };
  const latencies: number[] = [];
  let failed = 0;
  let firstError: unknown;
  const cpuBefore = processCpuUs(pid);
  const mainBefore = processCpuUs(pid, true);
  const start = performance.now();
  const end = start + durationSec * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await one(worker, steps);
          latencies.push(performance.now() - t0);
        } catch (error) {
          failed += 1;
          firstError ??= error;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpuMs = (processCpuUs(pid) - cpuBefore) / 1000;
  const mainMs = (processCpuUs(pid, true) - mainBefore) / 1000;
  latencies.sort((a, b) => a - b);
  const run: Run = {
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    done: latencies.length,
    failed,
    steps,
    cpuMsPerFlow: cpuMs / Math.max(latencies.length, 1),
    mainMsPerFlow: mainMs / Math.max(latencies.length, 1),
  };
  if (firstError !== undefined) run.firstError = firstError;
  return run;
}

async function measure(one: (worker: number, steps: FlowSteps) => Promise<unknown>, pid: number | undefined) {
  if (warmupSeconds > 0) await closedLoop(warmupSeconds, one, pid);
  return closedLoop(seconds, one, pid);
}

const start = startRun();
// (d) argon2id alone, before anything else runs.
const hash = await hashPassword(ADMIN.password);
const argon = await measure(async () => {
  if (!(await verifyPassword(hash, ADMIN.password))) throw new Error('argon2 verification failed');
}, process.pid);

const ours = await startOurs(
  { LOGIN_IP_LIMIT_PER_MINUTE: '1000000', LOGIN_MAX_FAILURES: '1000' },
  values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {},
);
let full: Run;
let remembered: Run;
let session: Run;
let withTotp: Run;
let withPasskey: Run;
let totpPool = 0;
try {
  const config = await portalConfig(ours);
  const serverPid = ours.service.process.pid;
  /** A flow's tokens, its ID token's `amr` the methods the flow used. */
  const checked = async (flow: ReturnType<typeof codeFlow>, amr: string[]) => {
    const tokens = await flow;
    if (!tokens.access_token || !tokens.id_token)
      throw new Error('token response without access or ID token');
    const got = tokens.claims()?.amr;
    if (JSON.stringify(got) !== JSON.stringify(amr))
      throw new Error(`ID token amr ${JSON.stringify(got)}, expected ${JSON.stringify(amr)}`);
  };
  const PWD = ['pwd'];
  // (a) Every flow signs in and consents, to a third-party client (the portal is first-party: no consent page).
  const thirdParty = await thirdPartyConfig(ours);
  full = await measure(
    (_, steps) => checked(codeFlow(ours, thirdParty, { params: { prompt: 'consent' }, steps }), PWD),
    serverPid,
  );
  // (b) The first-party portal: the sign-in page only, as on every sign-in with a remembered consent.
  remembered = await measure((_, steps) => checked(codeFlow(ours, config, { steps }), PWD), serverPid);
  // (c) One signed-in browser per worker: no password, no consent.
  const browsers = Array.from({ length: concurrency }, () => new Browser());
  await Promise.all(browsers.map((browser) => codeFlow(ours, config, { browser })));
  session = await measure(
    (worker, steps) => checked(codeFlow(ours, config, { browser: browsers[worker]!, steps }), PWD),
    serverPid,
  );
  // (e) Password, then a TOTP code the client asks for with acr_values: a fresh user every two flows.
  // Sized by the argon2id ceiling (d), which no password flow exceeds, with room for a faster run.
  totpPool = Math.ceil((argon.perSecond * (warmupSeconds + seconds) * 1.5) / 2) + concurrency * 2;
  const totpAs = totpSignIns(await createTotpUsers(ours, totpPool), concurrency);
  const params = { acr_values: 'urn:platform:acr:mfa' };
  withTotp = await measure(
    (worker, steps) =>
      checked(codeFlow(ours, config, { params, steps, as: totpAs(worker) }), ['pwd', 'otp', 'mfa']),
    serverPid,
  );
  // (f) A passkey alone (user verified: two factors in one), from the sign-in page: no password.
  const passkeyAs = await createPasskeySignIns(ours, concurrency);
  withPasskey = await measure(
    (worker, steps) => checked(codeFlow(ours, config, { steps, as: passkeyAs[worker] }), ['hwk', 'mfa']),
    serverPid,
  );
} finally {
  await ours.stop();
}

const runs = { full, remembered, session, withTotp, withPasskey };
const failures = Object.values(runs).reduce((sum, r) => sum + r.failed, argon.failed);
const passwordOnly = (r: Run) => r.steps.signIns >= r.done && r.steps.secondFactors === 0;
const stepsOk =
  passwordOnly(full) &&
  full.steps.signIns === full.steps.consents &&
  passwordOnly(remembered) &&
  remembered.steps.consents === 0 &&
  session.steps.signIns === 0 &&
  session.steps.consents === 0 &&
  withTotp.steps.secondFactors === withTotp.steps.signIns &&
  withTotp.steps.signIns >= withTotp.done &&
  passwordOnly(withPasskey);

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const row = (name: string, r: Run) =>
  `| ${name} | ${r.perSecond.toFixed(1)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.cpuMsPerFlow)} | ${ms(r.mainMsPerFlow)} | ${int(r.done)} | ${r.failed} |`;
const { memoryCost, timeCost, parallelism } = ARGON2_PARAMS;
console.log(
  `\nsign-in: complete authorization-code + PKCE flows through the HTML pages, ${concurrency} concurrent, ` +
    `${warmupSeconds} s warm-up + ${seconds} s each (Node ${process.versions.node}, ${availableParallelism()} cores)\n`,
);
console.log(
  `password hashing: argon2id, memoryCost ${int(memoryCost)} KiB (${(memoryCost / 1024).toFixed(0)} MiB), ` +
    `timeCost ${timeCost}, parallelism ${parallelism} (ARGON2_PARAMS, apps/oauth-service/src/accounts/passwords.ts)\n`,
);
console.log(
  '| run | per second | p50 ms | p99 ms | CPU ms each | of which event loop | completed | failed |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
console.log(row('(a) oauth-service: full flow (sign-in + consent page)', full));
console.log(row('(b) oauth-service: consent remembered (sign-in page only)', remembered));
console.log(row('(c) oauth-service: live session (no password, no consent)', session));
console.log(row('(d) argon2id verify alone, same params (ceiling for (a)/(b))', argon));
console.log(row('(e) oauth-service: password + TOTP code (acr_values mfa)', withTotp));
console.log(row('(f) oauth-service: passkey alone (user verified)', withPasskey));
console.log(
  `\nNo peer: a bare oidc-provider has no accounts and no password hashing, so any comparison would measure` +
    ` the hash, not the service. Instead: (a) reaches ${((full.perSecond / argon.perSecond) * 100).toFixed(0)}%` +
    ` and (b) ${((remembered.perSecond / argon.perSecond) * 100).toFixed(0)}% of the argon2id ceiling (d);` +
    ` without the password (c) the same endpoints do ${session.perSecond.toFixed(0)} flows/s.`,
);
console.log(
  `Server CPU per full flow (a): ${ms(full.cpuMsPerFlow)} ms — ${ms(full.cpuMsPerFlow - full.mainMsPerFlow)} ms on the` +
    ` worker pool (argon2id; alone in (d): ${ms(argon.cpuMsPerFlow)} ms) and ${ms(full.mainMsPerFlow)} ms on the event` +
    ` loop, of which the protocol round trips (c) take ${ms(session.mainMsPerFlow)} ms and the sign-in and consent` +
    ` pages with their session, grant, consent and audit writes the other ${ms(full.mainMsPerFlow - session.mainMsPerFlow)} ms.`,
);
const ofPassword = (r: Run) => `${((r.perSecond / remembered.perSecond) * 100).toFixed(0)}%`;
console.log(
  `Against the password alone (b): password + TOTP (e) ${ofPassword(withTotp)}, passkey alone (f)` +
    ` ${ofPassword(withPasskey)}; (e) ran on ${totpPool} TOTP users, each signing in at most twice (a code is` +
    ` used once), (f) on one passkey user per concurrent flow (assertions in counter order).`,
);
console.log(
  'LOGIN_IP_LIMIT_PER_MINUTE=1000000 (all flows come from 127.0.0.1), LOGIN_MAX_FAILURES=1000; every sign-in uses the right password.',
);
console.log(`reproduce: node bench/oauth/sign-in.ts --seconds ${seconds} --flows ${concurrency}`);
const ceiling = { name: '(d) argon2id verify alone, same parameters (ceiling)', value: argon.perSecond };
const passwordAlone = { name: '(b) password alone (sign-in page only)', value: remembered.perSecond };
writeResults({
  benchmark: 'sign-in',
  title: 'oauth-service interactive sign-ins',
  description:
    "Complete authorization-code + PKCE flows per second through oauth-service's HTML " +
    'pages: authorize, sign-in page, POST credentials (argon2id verification), consent page, POST consent, ' +
    'code, token exchange (openid-client, `client_secret_basic`, PKCE S256); each flow in a fresh browser. ' +
    'There is no fair peer: a bare oidc-provider has no accounts and hashes no passwords, and the password ' +
    'hash is the dominant, deliberate cost. So the flows are compared with (d), the rate argon2id itself ' +
    'allows with the same parameters and concurrency on this machine, measured in the same run before the ' +
    'server starts. (a) is the full flow with the consent page (a third-party client), (b) the sign-in page ' +
    'only (the first-party admin portal, as every sign-in with a remembered consent), (c) the flow with a live session (no password, no consent: the protocol alone). ' +
    '(e) and (f) compare other ways in with the password alone (b): (e) the password, then a TOTP code the ' +
    'client asks for with acr_values (users with a confirmed TOTP, codes from an independent RFC 6238 ' +
    'implementation, each used once), (f) a passkey alone from the sign-in page (options request, ' +
    'ECDSA P-256 assertion by a software authenticator, checked by @simplewebauthn/server).',
  command: `node bench/oauth/sign-in.ts --seconds ${seconds} --flows ${concurrency} --warmup ${warmupSeconds}`,
  ...start,
  parameters: {
    flows: concurrency,
    seconds,
    warmupSeconds,
    argon2MemoryKiB: memoryCost,
    argon2TimeCost: timeCost,
    argon2Parallelism: parallelism,
    LOGIN_IP_LIMIT_PER_MINUTE: 1_000_000,
    LOGIN_MAX_FAILURES: 1_000,
    totpUsers: totpPool,
  },
  rows: [
    resultRow('(a) full flow (sign-in + consent page)', 'flows/s', full.perSecond, ceiling),
    resultRow('(b) consent remembered (sign-in page only)', 'flows/s', remembered.perSecond, ceiling),
    resultRow('(c) live session (no password, no consent)', 'flows/s', session.perSecond),
    resultRow('(e) password + TOTP code', 'flows/s', withTotp.perSecond, passwordAlone),
    resultRow('(f) passkey alone (user verified)', 'flows/s', withPasskey.perSecond, passwordAlone),
    resultRow('(a) latency p99', 'ms', full.p99, undefined, 'lower'),
    resultRow('(a) server CPU per flow', 'ms', full.cpuMsPerFlow, undefined, 'lower'),
    resultRow(
      '(a) server CPU per flow on the worker pool',
      'ms',
      full.cpuMsPerFlow - full.mainMsPerFlow,
      {
        name: '(d) CPU per argon2id verification',
        value: argon.cpuMsPerFlow,
      },
      'lower',
    ),
    resultRow(
      '(a) server CPU per flow on the event loop',
      'ms',
      full.mainMsPerFlow,
      {
        name: '(c) event loop CPU per flow (protocol round trips alone)',
        value: session.mainMsPerFlow,
      },
      'lower',
    ),
  ],
  notes: [`Failed flows: ${failures}; page sequence as expected: ${stepsOk ? 'yes' : 'no'}.`],
});
for (const [name, r] of Object.entries(runs))
  if (r.firstError) console.error(`${name}: first failure:`, r.firstError);
if (!stepsOk)
  console.error('unexpected page sequence:', JSON.stringify(Object.values(runs).map((r) => r.steps)));
if (failures > 0 || !stepsOk) process.exitCode = 1;
