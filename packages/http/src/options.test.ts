import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import {
  type AppOptions,
  DEFAULT_BODY_LIMIT,
  DEFAULT_READINESS_TIMEOUT_MS,
  resolveAppOptions,
} from './options.ts';

const valid: AppOptions = {
  name: 'test-service',
  openapi: { path: '/test/openapi.json', title: 'Test', version: '1.0.0' },
};

const withOverride = (override: Record<string, unknown>) => ({ ...valid, ...override }) as AppOptions;

describe('resolveAppOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveAppOptions(valid);
    expect(resolved.logLevel).toBe('info');
    expect(resolved.bodyLimit).toBe(DEFAULT_BODY_LIMIT);
    expect(DEFAULT_BODY_LIMIT).toBe(1_048_576);
    expect(resolved.readinessTimeoutMs).toBe(DEFAULT_READINESS_TIMEOUT_MS);
    expect(DEFAULT_READINESS_TIMEOUT_MS).toBe(2000);
    expect(resolved.readiness).toEqual({});
    expect(resolved.onClose).toBeUndefined();
  });

  it('keeps valid explicit values', () => {
    const check = async () => {};
    const resolved = resolveAppOptions({
      ...valid,
      logLevel: 'debug',
      bodyLimit: 10,
      readiness: { database: check },
      readinessTimeoutMs: 50,
    });
    expect(resolved).toMatchObject({ logLevel: 'debug', bodyLimit: 10, readinessTimeoutMs: 50 });
    expect(resolved.readiness.database).toBe(check);
  });

  it.each([
    [{ name: '' }, /name/],
    [{ name: '   ' }, /name/],
    [{ name: 42 }, /name/],
    [{ version: '' }, /version/],
    [{ logLevel: 'verbose' }, /logLevel/],
    [{ logStream: {} }, /logStream/],
    [{ bodyLimit: 0 }, /bodyLimit/],
    [{ bodyLimit: -1 }, /bodyLimit/],
    [{ bodyLimit: 1.5 }, /bodyLimit/],
    [{ bodyLimit: Number.NaN }, /bodyLimit/],
    [{ bodyLimit: '1mb' }, /bodyLimit/],
    [{ readinessTimeoutMs: 0 }, /readinessTimeoutMs/],
    [{ readiness: [] }, /readiness/],
    [{ readiness: { database: 'yes' } }, /database/],
    [{ readiness: { 'bad name': async () => {} } }, /bad name/],
    [{ openapi: undefined }, /openapi/],
    [{ openapi: { path: 'openapi.json', title: 'T', version: '1' } }, /openapi\.path/],
    [{ openapi: { path: '/a b', title: 'T', version: '1' } }, /openapi\.path/],
    [{ openapi: { path: '/items/:id', title: 'T', version: '1' } }, /openapi\.path/],
    [{ openapi: { path: '/o.json', title: '', version: '1' } }, /openapi\.title/],
    [{ openapi: { path: '/o.json', title: 'T', version: '' } }, /openapi\.version/],
    [{ onClose: 'db.close' }, /onClose/],
  ])('rejects %j', (override, message) => {
    expect(() => resolveAppOptions(withOverride(override))).toThrow(message);
  });

  it('rejects a missing options object', () => {
    expect(() => resolveAppOptions(null as unknown as AppOptions)).toThrow(/options/);
  });
});

describe('createApp option validation', () => {
  it('fails when the app is built, not per request', async () => {
    await expect(createApp(withOverride({ bodyLimit: 0 }))).rejects.toThrow(/createApp: `bodyLimit`/);
  });
});

describe('logFile', () => {
  it('refuses an empty path, and a file together with a stream', () => {
    const base = { name: 'svc', openapi: { path: '/svc/openapi.json', title: 'svc', version: '1' } };
    expect(() => resolveAppOptions({ ...base, logFile: '' })).toThrow(/`logFile` must be a non-empty path/);
    expect(() => resolveAppOptions({ ...base, logFile: '/tmp/x.log', logStream: { write() {} } })).toThrow(
      /not both/,
    );
    expect(resolveAppOptions({ ...base, logFile: '/tmp/x.log' }).logFile).toBe('/tmp/x.log');
  });
});
