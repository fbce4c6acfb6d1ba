// `pnpm db:push | db:seed | db:studio [component]`: runs each component's own database task in its own
// process, with that component's DATABASE_URL (see components.ts for how it is chosen).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { componentEnv, components, ROOT } from './components.ts';

const [task, only] = process.argv.slice(2);
if (!task || !['push', 'seed', 'studio'].includes(task)) {
  console.error('usage: node scripts/db.ts push|seed|studio [component]');
  process.exit(2);
}
const targets = components.filter((c) => c.database && (!only || c.name === only));
if (targets.length === 0) {
  console.error(`no component with a database is called ${only}`);
  process.exit(2);
}

for (const component of targets) {
  const result = spawnSync(process.execPath, [join(component.dir, 'src/db/cli.ts'), task], {
    cwd: ROOT,
    env: componentEnv(component, process.env),
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`${component.name}: db:${task} failed`);
    process.exit(result.status ?? 1);
  }
}
