// `pnpm db:push | db:seed | db:studio [component]`: runs each component's own database task in its own
// process, with that component's DATABASE_URL (see components.ts for how it is chosen). Also the body of
// scripts/backup.sh (`backup [component]`, into BACKUP_DIR) and scripts/restore.sh (`restore <component> <file>`).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { backupDir, componentEnv, components, ROOT } from './components.ts';

const USAGE =
  'usage: node scripts/db.ts push|seed|studio|backup [component]  |  restore <component> <backup file>';
const [task, only, ...rest] = process.argv.slice(2);
if (!task || !['push', 'seed', 'studio', 'backup', 'restore'].includes(task)) {
  console.error(USAGE);
  process.exit(2);
}
if (task === 'restore' && (!only || rest.length !== 1)) {
  console.error(USAGE);
  process.exit(2);
}
const targets = components.filter((c) => c.database && (!only || c.name === only));
if (targets.length === 0) {
  console.error(`no component with a database is called ${only}`);
  process.exit(2);
}

// Paths given on the command line are relative to where it was typed; the tasks run from the repo root.
const taskArgs =
  task === 'backup' ? [resolve(backupDir(process.env))] : task === 'restore' ? [resolve(rest[0]!)] : [];

for (const component of targets) {
  const result = spawnSync(process.execPath, [join(component.dir, 'src/db/cli.ts'), task, ...taskArgs], {
    cwd: ROOT,
    env: componentEnv(component, process.env),
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`${component.name}: db:${task} failed`);
    process.exit(result.status ?? 1);
  }
}
