// `pnpm admin:recover <login> [--operator <name>]`: break-glass recovery of an oauth-service account in its
// database (docs/operations.md "Locked out of the console"). Runs oauth-service's own CLI with its
// DATABASE_URL, as `pnpm db:*` does.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { componentEnv, components, ROOT } from './components.ts';

const oauth = components.find((c) => c.name === 'oauth-service')!;
const result = spawnSync(
  process.execPath,
  [join(oauth.dir, 'src/accounts/recover-cli.ts'), ...process.argv.slice(2)],
  { cwd: ROOT, env: componentEnv(oauth, process.env), stdio: 'inherit' },
);
process.exit(result.status ?? 1);
