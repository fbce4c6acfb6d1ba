// account-portal's entry point (`node src/server.ts`, `--dev` for `next dev` behaviour): the configuration is
// validated before anything else, then the shared console server (@platform/web-session/console-server:
// /health, /ready, /metrics, client address, graceful stop) runs the Next.js app.
import { runMain } from '@platform/config';
import { routeLabel, startConsoleServer } from '@platform/web-session/console-server';
import { accountConfig } from './lib/config.ts';
import { SECTIONS } from './lib/sections.ts';
import { oidcConfiguration } from './lib/session/oidc.ts';

const BASE_PATH = '/account';

await runMain(async () => {
  await startConsoleServer({
    name: 'account-portal',
    basePath: BASE_PATH,
    dir: new URL('..', import.meta.url).pathname,
    dev: process.argv.includes('--dev'),
    config: accountConfig(),
    ready: async () => {
      await oidcConfiguration();
    },
    routeLabel: (pathname) => routeLabel(pathname, BASE_PATH, SECTIONS),
  });
});
