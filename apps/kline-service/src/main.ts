import { listenOptions, runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildKlineService } from './app.ts';
import { loadKlineServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadKlineServiceConfig();
  const app = await buildKlineService(config);
  await startServer(app, listenOptions(config));
});
