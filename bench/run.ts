// `pnpm bench`: every benchmark in turn, each printing its table (ours beside its peer, as ratios) and writing
// bench/results/<benchmark>.json, then bench/report.ts renders those files into docs/benchmarks.md. The
// gateway benchmark (bench/gateway/run.sh) is run on its own: it builds the gateway and may install nginx.
// The auth benchmark is pinned to one core with taskset when available, as its target is per core.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const here = import.meta.dirname;
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const runs: Array<[string, string[]]> = [
  hasTaskset
    ? ['taskset', ['-c', '0', process.execPath, join(here, 'auth-verify.ts')]]
    : [process.execPath, [join(here, 'auth-verify.ts')]],
  [process.execPath, [join(here, 'echo.ts')]],
  [process.execPath, [join(here, 'oauth/client-credentials.ts')]],
  [process.execPath, [join(here, 'oauth/introspection.ts')]],
  [process.execPath, [join(here, 'oauth/sign-in.ts')]],
  // Starts its own PostgreSQL (fsync on) for the per-dialect figures.
  ['bash', [join(here, 'kline/run.sh')]],
  [process.execPath, [join(here, 'flow/engine.ts')]],
];
let failed = false;
for (const [command, args] of runs) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
// The report renders whatever results exist, so a failed benchmark leaves its previous file in place.
const report = spawnSync(process.execPath, [join(here, 'report.ts')], { stdio: 'inherit' });
process.exit(failed || report.status !== 0 ? 1 : 0);
