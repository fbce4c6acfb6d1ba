// Starting one of the platform's Node services for a system test: its schema first (`db push`, as the
// migration job does), then the process, ready when its health path answers.
import { spawnSync } from 'node:child_process';
import { type SpawnedService, type SpawnServiceOptions, spawnService } from '@platform/testing';

/** Runs `src/db/cli.ts push` of the service in `dir` against `env`'s DATABASE_URL; throws with its stderr. */
export function pushSchema(dir: string, env: Record<string, string>): void {
  const result = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`db push in ${dir} failed: ${result.stderr}`);
}

/** Pushes the schema of the service in `dir`, then starts its `src/main.ts` with `env`. */
export function startService(
  dir: string,
  env: Record<string, string>,
  options: Omit<SpawnServiceOptions, 'cwd' | 'entry' | 'env'> = {},
): Promise<SpawnedService> {
  pushSchema(dir, env);
  return spawnService({ cwd: dir, entry: 'src/main.ts', env, ...options });
}
