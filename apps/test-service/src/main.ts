import { drainDelayMs, runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildTestService } from './app.ts';
import { loadTestServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadTestServiceConfig();
  const app = await buildTestService(config);
  await startServer(app, {
    host: config.HOST,
    port: config.PORT,
    drainDelayMs: drainDelayMs(config.NODE_ENV, config.SHUTDOWN_DRAIN_DELAY_MS),
  });
});
