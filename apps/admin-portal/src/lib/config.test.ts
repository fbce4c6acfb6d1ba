import { describe, expect, it } from 'vitest';
import { parsePortalConfig } from './config.ts';

const SECRET = 'x'.repeat(43);

describe('admin-portal configuration', () => {
  it('derives the token issuer, the admin API audience and the portal URL from PUBLIC_URL', () => {
    const config = parsePortalConfig({
      OAUTH_CLIENT_SECRET: SECRET,
      PUBLIC_URL: 'https://platform.example.com/',
    });
    expect(config.issuer).toBe('https://platform.example.com');
    expect(config.adminResource).toBe('https://platform.example.com/api/admin');
    expect(config.portalUrl).toBe('https://platform.example.com/admin');
    expect(config.internalOAuthUrl).toBe('http://127.0.0.1:3001');
    expect(config.flow).toEqual({
      url: 'http://127.0.0.1:3004',
      resource: 'https://platform.example.com/flow',
    });
    // Every service of the platform, the console itself included.
    expect(config.services.map((s) => s.name)).toEqual([
      'oauth-service',
      'flow-service',
      'kline-service',
      'test-service',
      'admin-portal',
      'account-portal',
    ]);
  });

  it('needs the client secret, naming the variable', () => {
    expect(() => parsePortalConfig({})).toThrow(/OAUTH_CLIENT_SECRET/);
  });

  it('refuses the development session secret in production', () => {
    expect(() => parsePortalConfig({ OAUTH_CLIENT_SECRET: SECRET, NODE_ENV: 'production' })).toThrow(
      /SESSION_SECRET: development default refused/,
    );
    const config = parsePortalConfig({
      OAUTH_CLIENT_SECRET: SECRET,
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
    });
    expect(config.production).toBe(true);
  });

  it("judges by the operator's mode, not the NODE_ENV Next.js needs for its build", () => {
    expect(() =>
      parsePortalConfig({
        OAUTH_CLIENT_SECRET: SECRET,
        NODE_ENV: 'production',
        PLATFORM_NODE_ENV: 'development',
      }),
    ).not.toThrow();
    expect(() =>
      parsePortalConfig({
        OAUTH_CLIENT_SECRET: SECRET,
        NODE_ENV: 'production',
        PLATFORM_NODE_ENV: 'production',
      }),
    ).toThrow(/SESSION_SECRET/);
  });

  it('refuses a malformed service list', () => {
    expect(() =>
      parsePortalConfig({ OAUTH_CLIENT_SECRET: SECRET, SYSTEM_SERVICES: 'oauth-service' }),
    ).toThrow(/SYSTEM_SERVICES/);
  });
});
