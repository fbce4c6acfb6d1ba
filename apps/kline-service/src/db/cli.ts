// `pnpm db:push | db:seed | db:studio` for kline-service (called by scripts/db.ts). There is no seed data:
// market data must be real or visibly simulated, so a fresh platform gets candles from the simulator
// (`pnpm --filter @platform/kline-service simulate`, or KLINE_SIMULATOR=true), never from the seed.
import { runMain } from '@platform/config';
import { runDatabaseTask } from '@platform/db';
import { loadKlineServiceConfig } from '../config.ts';
import { migrations } from './migrations.ts';

await runMain(async () => {
  const config = loadKlineServiceConfig();
  await runDatabaseTask(process.argv[2], {
    service: 'kline-service',
    databaseUrl: config.DATABASE_URL,
    migrations,
    seed: async () => 'no seed data (start the market simulator for sample candles)',
  });
});
