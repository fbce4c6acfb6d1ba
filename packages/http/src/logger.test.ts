import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { censor, loggerOptions, pathOf, REDACTED } from './logger.ts';
import { captureLog } from './test-support.ts';

describe('pathOf', () => {
  it.each([
    ['/a/b', '/a/b'],
    ['/authorize?code=abc&state=xyz', '/authorize'],
    ['/a#frag', '/a'],
    ['/', '/'],
  ])('%s → %s', (url, path) => {
    expect(pathOf(url)).toBe(path);
  });
});

describe('loggerOptions', () => {
  const logWith = (fields: Record<string, unknown>) => {
    const log = captureLog();
    const { stream, ...options } = loggerOptions({
      service: 'svc',
      version: undefined,
      level: 'info',
      stream: log,
    });
    pino(options, stream ?? log).info(fields, 'line');
    return log.records()[0] ?? {};
  };

  it('tags every line with the service and omits an unset version', () => {
    const line = logWith({});
    expect(line.service).toBe('svc');
    expect(line).not.toHaveProperty('version');
    expect(typeof line.time).toBe('string');
  });

  it('censors credentials at the top level and one level down', () => {
    const line = logWith({
      headers: { authorization: 'Bearer a', cookie: 'sid=b', 'set-cookie': 'sid=c', accept: 'json' },
      upstream: { headers: { authorization: 'Bearer d', 'proxy-authorization': 'Basic e' } },
      client_secret: 'f',
      body: { password: 'g', refresh_token: 'h', username: 'ok' },
    });
    expect(line).toMatchObject({
      headers: { authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED, accept: 'json' },
      upstream: { headers: { authorization: REDACTED, 'proxy-authorization': REDACTED } },
      client_secret: REDACTED,
      body: { password: REDACTED, refresh_token: REDACTED, username: 'ok' },
    });
  });

  it('serializes `req` to method and path only, whatever was passed', () => {
    const line = logWith({
      req: { method: 'GET', url: '/a?token=t', headers: { authorization: 'Bearer x' } },
    });
    expect(line.req).toEqual({ method: 'GET', url: '/a' });
    expect(logWith({ req: 'not a request' }).req).toEqual({});
  });

  it('applies the level', () => {
    const log = captureLog();
    const { stream, ...options } = loggerOptions({
      service: 'svc',
      version: '1',
      level: 'error',
      stream: log,
    });
    const logger = pino(options, stream ?? log);
    logger.info('hidden');
    logger.error('shown');
    expect(log.records().map((line) => line.msg)).toEqual(['shown']);
  });
});

describe('censor', () => {
  it('leaves the logged objects untouched and copies only what it censors', () => {
    const headers = { authorization: 'Bearer a', accept: 'json' };
    const clean = { accept: 'json' };
    const fields = { headers, nested: { clean }, other: 1 };
    const out = censor(fields);
    expect(headers.authorization).toBe('Bearer a');
    expect(out.headers).toEqual({ authorization: REDACTED, accept: 'json' });
    expect(out.nested).toBe(fields.nested);
    expect(censor({ plain: clean, n: 1 })).toEqual({ plain: clean, n: 1 });
  });

  it('matches header names case-insensitively and stops two levels down', () => {
    expect(censor({ headers: { Authorization: 'x', 'Set-Cookie': 'y' } })).toEqual({
      headers: { Authorization: REDACTED, 'Set-Cookie': REDACTED },
    });
    const deep = { a: { b: { password: 'kept: beyond the documented depth' } } };
    expect(censor(deep)).toEqual(deep);
  });

  it('censors child logger bindings too', () => {
    const log = captureLog();
    const { stream, ...options } = loggerOptions({
      service: 'svc',
      version: undefined,
      level: 'info',
      stream: log,
    });
    pino(options, stream ?? log)
      .child({ token: 'child-secret' })
      .info('line');
    expect(log.text()).not.toContain('child-secret');
    expect(log.records()[0]).toMatchObject({ token: REDACTED });
  });
});

describe('log file (LOG_FILE)', () => {
  it('appends JSON lines to the file, and after rotation + SIGHUP writes to the new file', async () => {
    const { mkdtempSync, readFileSync, renameSync, existsSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'log-file-'));
    const path = join(dir, 'nested', 'service.log');
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    const eventually = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setTimeout(r, 20));
      return check();
    };
    try {
      const options = loggerOptions({
        service: 'svc',
        version: undefined,
        level: 'info',
        stream: undefined,
        file: path,
      });
      const { stream, ...rest } = options;
      const logger = pino(rest, stream as never);
      logger.info({ token: 'secret-1' }, 'before rotation');
      logger.flush();
      expect(await eventually(() => read(path).includes('before rotation'))).toBe(true);
      expect(read(path)).not.toContain('secret-1');

      renameSync(path, `${path}.1`); // what logrotate does first
      process.emit('SIGHUP', 'SIGHUP'); // its postrotate reload
      await new Promise((r) => setTimeout(r, 50));
      logger.info('after rotation');
      logger.flush();
      expect(await eventually(() => read(path).includes('after rotation'))).toBe(true);
      expect(read(path)).not.toContain('before rotation');
      expect(read(`${path}.1`)).toContain('before rotation');
      expect(read(`${path}.1`)).not.toContain('after rotation');
      expect(JSON.parse(read(path).trim().split('\n').at(-1)!)).toMatchObject({
        service: 'svc',
        msg: 'after rotation',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
