// `pnpm keys:rotate [--activate-in <seconds>]`: rotates oauth-service's signing key in its database.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { componentEnv, components, ROOT } from './components.ts';

const oauth = components.find((c) => c.name === 'oauth-service')!;
const result = spawnSync(
  process.execPath,
  [join(oauth.dir, 'src/keys/cli.ts'), 'rotate', ...process.argv.slice(2)],
  {
    cwd: ROOT,
    env: componentEnv(oauth, process.env),
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
