import type { NextConfig } from 'next';

// Served behind the gateway at PUBLIC_URL/account (basePath). src/server.ts runs it and answers /health,
// /ready, /metrics and the `/` redirect at the root itself.
const config: NextConfig = {
  basePath: '/account',
  reactStrictMode: true,
  poweredByHeader: false,
  // The workspace's shared packages are TypeScript sources (no build step): compile them with the app.
  transpilePackages: ['@platform/config', '@platform/ui', '@platform/web-session'],
  experimental: {
    // unauthorized(): a real 401 page from Server Components.
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
