import { consoleNextConfig } from '@platform/web-session/next-config';

// Served behind the gateway at PUBLIC_URL/account (@platform/web-session/next-config).
export default consoleNextConfig({
  basePath: '/account',
  transpilePackages: ['@platform/config', '@platform/ui', '@platform/web-session'],
});
