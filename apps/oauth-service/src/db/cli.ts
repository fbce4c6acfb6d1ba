// `pnpm db:push | db:seed | db:studio` for oauth-service (called by scripts/db.ts).
import { runMain } from '@platform/config';
import { runDatabaseTask } from '@platform/db';
import { loadOAuthServiceConfig } from '../config.ts';
import { migrations } from './migrations/index.ts';
import { seed } from './seed.ts';

await runMain(async () => {
  const config = loadOAuthServiceConfig();
  await runDatabaseTask(process.argv[2], {
    service: 'oauth-service',
    databaseUrl: config.DATABASE_URL,
    migrations,
    seed: (database) => seed(database, config),
  });
});
