import { listenOptions, runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildTestService } from './app.ts';
import { loadTestServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadTestServiceConfig();
  const app = await buildTestService(config);
  await startServer(app, listenOptions(config));
});
