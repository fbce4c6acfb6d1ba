import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './database-url.ts';
import { ConfigError, loadConfig } from './load-config.ts';
import { boolean, databaseUrl, list, nodeEnv, port } from './schemas.ts';
import { secret } from './secrets.ts';

const shape = {
  NODE_ENV: nodeEnv,
  PORT: port(3005),
  DATABASE_URL: databaseUrl('file:./data/test.db'),
  ENCRYPTION_KEY: secret('encryption-key'),
  FEATURES: list(['a']),
  ENABLED: boolean(false),
};

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig(shape, {});
    expect(config).toMatchObject({ NODE_ENV: 'development', PORT: 3005, FEATURES: ['a'], ENABLED: false });
    expect(config.ENCRYPTION_KEY.length).toBeGreaterThanOrEqual(32);
  });

  it('reads given values', () => {
    const config = loadConfig(shape, {
      PORT: '4000',
      FEATURES: ' x, y ,,',
      ENABLED: 'yes',
      DATABASE_URL: 'postgres://u@h/db',
    });
    expect(config).toMatchObject({
      PORT: 4000,
      FEATURES: ['x', 'y'],
      ENABLED: true,
      DATABASE_URL: 'postgres://u@h/db',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig(shape, { PORT: '' }).PORT).toBe(3005);
  });

  it('fails with a one-line message naming the bad variable', () => {
    const attempt = () => loadConfig(shape, { DATABASE_URL: 'nonsense' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toMatch(/^invalid configuration: DATABASE_URL: /);
      expect(message).not.toContain('\n');
      expect((error as ConfigError).variables).toEqual(['DATABASE_URL']);
    }
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig(shape, { PORT: '70000', ENABLED: 'maybe' })).toThrow(/PORT: .*; ENABLED: /);
  });

  it('refuses development secrets in production', () => {
    expect(() => loadConfig(shape, { NODE_ENV: 'production' })).toThrow(
      /ENCRYPTION_KEY: development default refused when NODE_ENV=production/,
    );
    const devDefault = loadConfig(shape, {}).ENCRYPTION_KEY;
    expect(() => loadConfig(shape, { NODE_ENV: 'production', ENCRYPTION_KEY: devDefault })).toThrow(
      ConfigError,
    );
    const real = 'x'.repeat(40);
    expect(loadConfig(shape, { NODE_ENV: 'production', ENCRYPTION_KEY: real }).ENCRYPTION_KEY).toBe(real);
  });

  it('rejects short secrets', () => {
    expect(() => loadConfig(shape, { ENCRYPTION_KEY: 'short' })).toThrow(
      /ENCRYPTION_KEY: must be at least 32/,
    );
  });
});

describe('parseDatabaseUrl', () => {
  it.each([
    ['file:./data/a.db', { dialect: 'sqlite', filename: './data/a.db' }],
    ['sqlite:///tmp/a.db', { dialect: 'sqlite', filename: '/tmp/a.db' }],
    ['file::memory:', { dialect: 'sqlite', filename: ':memory:' }],
    [
      'postgres://u:p@localhost:5432/db',
      { dialect: 'postgres', connectionString: 'postgres://u:p@localhost:5432/db' },
    ],
    ['postgresql://u@h/db', { dialect: 'postgres', connectionString: 'postgresql://u@h/db' }],
  ])('parses %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each(['nonsense', 'mysql://h/db', 'file:', 'postgres://'])('rejects %s', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow();
  });
});

describe('serviceShape and listenOptions', () => {
  it('reads the shared variables with their defaults, and the drain delay follows NODE_ENV', async () => {
    const { listenOptions, loadConfig, serviceShape } = await import('./index.ts');
    const dev = loadConfig(serviceShape('svc', 3999), {});
    expect(dev).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 3999,
      DATABASE_URL: 'file:data/svc.db',
      LOG_LEVEL: 'info',
    });
    expect(listenOptions(dev)).toEqual({ host: '0.0.0.0', port: 3999, drainDelayMs: 0 });
    const prod = loadConfig(serviceShape('svc', 3999), { NODE_ENV: 'production', PORT: '4000' });
    expect(listenOptions(prod)).toEqual({ host: '0.0.0.0', port: 4000, drainDelayMs: 2000 });
    const set = loadConfig(serviceShape('svc', 3999), {
      NODE_ENV: 'production',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
    });
    expect(listenOptions(set).drainDelayMs).toBe(0);
    expect(() => loadConfig(serviceShape('svc', 1), { SHUTDOWN_DRAIN_DELAY_MS: '-5' })).toThrow(
      /SHUTDOWN_DRAIN_DELAY_MS/,
    );
    // An empty LOG_FILE= means unset, like every variable: logs stay on stdout.
    expect(loadConfig(serviceShape('svc', 1), { LOG_FILE: '' }).LOG_FILE).toBeUndefined();
  });
});

describe('resourceServerUrls', () => {
  it('derives the token issuer and audience from PUBLIC_URL, without its trailing slashes', async () => {
    const { loadConfig, resourceServerShape, resourceServerUrls, serviceShape } = await import('./index.ts');
    const shape = { ...serviceShape('svc', 3999), ...resourceServerShape };
    expect(
      resourceServerUrls(loadConfig(shape, { PUBLIC_URL: 'https://auth.example.test//' }), 'kline'),
    ).toEqual({
      PUBLIC_URL: 'https://auth.example.test',
      OAUTH_ISSUER: 'https://auth.example.test',
      TOKEN_AUDIENCE: 'https://auth.example.test/kline',
    });
  });

  it('keeps an issuer and audience set explicitly', async () => {
    const { loadConfig, resourceServerShape, resourceServerUrls, serviceShape } = await import('./index.ts');
    const shape = { ...serviceShape('svc', 3999), ...resourceServerShape };
    const env = {
      PUBLIC_URL: 'https://edge.example.test/',
      OAUTH_ISSUER: 'https://issuer.example.test',
      TOKEN_AUDIENCE: 'https://api.example.test/flow',
    };
    expect(resourceServerUrls(loadConfig(shape, env), 'flow')).toEqual({
      PUBLIC_URL: 'https://edge.example.test',
      OAUTH_ISSUER: 'https://issuer.example.test',
      TOKEN_AUDIENCE: 'https://api.example.test/flow',
    });
  });
});
