// `pnpm db:push | db:seed | db:studio` for flow-service (called by scripts/db.ts).
import { runMain } from '@platform/config';
import { runDatabaseTask } from '@platform/db';
import { loadFlowServiceConfig } from '../config.ts';
import { migrations } from './migrations.ts';
import { seed } from './seed.ts';

await runMain(async () => {
  const config = loadFlowServiceConfig(undefined, { readSecret: false });
  await runDatabaseTask(process.argv[2], {
    service: 'flow-service',
    databaseUrl: config.DATABASE_URL,
    migrations,
    seed: (database) => seed(database, config.PUBLIC_URL),
  });
});
