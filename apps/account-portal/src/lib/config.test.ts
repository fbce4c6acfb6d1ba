import { describe, expect, it } from 'vitest';
import { parseAccountConfig } from './config.ts';

const SECRET = 'x'.repeat(43);

describe('account-portal configuration', () => {
  it('derives the token issuer, the account API audience and the console URL from PUBLIC_URL', () => {
    const config = parseAccountConfig({
      ACCOUNT_CLIENT_SECRET: SECRET,
      PUBLIC_URL: 'https://id.example.com/',
    });
    expect(config.issuer).toBe('https://id.example.com');
    expect(config.accountResource).toBe('https://id.example.com/api/account');
    expect(config.portalUrl).toBe('https://id.example.com/account');
    expect(config.internalOAuthUrl).toBe('http://127.0.0.1:3001');
    expect(config.clientId).toBe('account-console');
    expect(config.port).toBe(3006);
  });

  it('takes the console URL and the issuer as given', () => {
    const config = parseAccountConfig({
      ACCOUNT_CLIENT_SECRET: SECRET,
      ACCOUNT_CONSOLE_URL: 'https://account.example.com/account/',
      OAUTH_ISSUER: 'https://id.example.com',
    });
    expect(config.portalUrl).toBe('https://account.example.com/account');
    expect(config.accountResource).toBe('https://id.example.com/api/account');
  });

  it('needs the client secret, naming the variable', () => {
    expect(() => parseAccountConfig({})).toThrow(/ACCOUNT_CLIENT_SECRET/);
    expect(() => parseAccountConfig({ ACCOUNT_CLIENT_SECRET: 'short' })).toThrow(/ACCOUNT_CLIENT_SECRET/);
  });

  it("refuses the development session secret in production, judged by the operator's mode", () => {
    expect(() => parseAccountConfig({ ACCOUNT_CLIENT_SECRET: SECRET, NODE_ENV: 'production' })).toThrow(
      /SESSION_SECRET: development default refused/,
    );
    expect(() =>
      parseAccountConfig({
        ACCOUNT_CLIENT_SECRET: SECRET,
        NODE_ENV: 'production',
        PLATFORM_NODE_ENV: 'development',
      }),
    ).not.toThrow();
  });
});
