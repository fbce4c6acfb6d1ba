import { drainDelayMs, runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildOAuthService } from './app.ts';
import { loadOAuthServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadOAuthServiceConfig();
  const { app } = await buildOAuthService(config);
  await startServer(app, {
    host: config.HOST,
    port: config.PORT,
    drainDelayMs: drainDelayMs(config.NODE_ENV, config.SHUTDOWN_DRAIN_DELAY_MS),
  });
});
