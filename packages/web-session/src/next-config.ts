import type { NextConfig } from 'next';

// A console's Next.js configuration: served behind the gateway at PUBLIC_URL + `basePath`; its src/server.ts
// runs it and answers /health, /ready, /metrics and the `/` redirect at the root itself.

export function consoleNextConfig(options: {
  /** The console's path under PUBLIC_URL (`/admin`, `/account`). */
  basePath: string;
  /** The workspace packages it imports: TypeScript sources (no build step), compiled with the app. */
  transpilePackages: string[];
}): NextConfig {
  return {
    basePath: options.basePath,
    reactStrictMode: true,
    poweredByHeader: false,
    transpilePackages: options.transpilePackages,
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
}
