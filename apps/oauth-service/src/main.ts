import { listenOptions, runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildOAuthService } from './app.ts';
import { loadOAuthServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadOAuthServiceConfig();
  const { app } = await buildOAuthService(config);
  await startServer(app, listenOptions(config));
});
