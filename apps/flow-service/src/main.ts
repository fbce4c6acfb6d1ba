import { runMain } from '@platform/config';
import { startServer } from '@platform/http';
import { buildFlowService } from './app.ts';
import { loadFlowServiceConfig } from './config.ts';

await runMain(async () => {
  const config = loadFlowServiceConfig();
  const app = await buildFlowService(config);
  await startServer(app, { host: config.HOST, port: config.PORT });
});
