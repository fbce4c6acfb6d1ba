import { consoleNextConfig } from '@platform/web-session/next-config';

// Served behind the gateway at PUBLIC_URL/admin (@platform/web-session/next-config).
export default consoleNextConfig({
  basePath: '/admin',
  transpilePackages: ['@platform/config', '@platform/auth', '@platform/ui', '@platform/web-session'],
});
