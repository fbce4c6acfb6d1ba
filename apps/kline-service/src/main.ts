import { drainDelayMs, runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildKlineService } from './app.ts';
import { loadKlineServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadKlineServiceConfig();
  const app = await buildKlineService(config);
  await startServer(app, {
    host: config.HOST,
    port: config.PORT,
    drainDelayMs: drainDelayMs(config.NODE_ENV, config.SHUTDOWN_DRAIN_DELAY_MS),
  });
});
