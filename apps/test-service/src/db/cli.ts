// `pnpm db:push | db:seed | db:studio` for test-service (called by scripts/db.ts).
import { runMain } from '@platform/config';
import { runDatabaseTask } from '@platform/db';
import { loadTestServiceConfig } from '../config.ts';
import { migrations } from './migrations.ts';
import { seed } from './seed.ts';

await runMain(async () => {
  const config = loadTestServiceConfig();
  await runDatabaseTask(process.argv[2], {
    service: 'test-service',
    databaseUrl: config.DATABASE_URL,
    migrations,
    seed,
  });
});
