import type { NextConfig } from 'next';

// Served behind the gateway at PUBLIC_URL/admin (basePath). src/server.ts runs it and answers /health,
// /ready, /metrics and the `/` redirect at the root itself.
const config: NextConfig = {
  basePath: '/admin',
  reactStrictMode: true,
  poweredByHeader: false,
  // The workspace's shared packages are TypeScript sources (no build step): compile them with the app.
  transpilePackages: ['@platform/config', '@platform/auth', '@platform/ui', '@platform/web-session'],
  experimental: {
    // forbidden() / unauthorized(): real 403 and 401 pages from Server Components.
    authInterrupts: true,
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'x-frame-options', value: 'DENY' },
          { key: 'x-content-type-options', value: 'nosniff' },
          { key: 'referrer-policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default config;
