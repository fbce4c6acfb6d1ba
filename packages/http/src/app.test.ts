import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './errors.ts';
import { buildTestApp, type CapturedLog } from './test-support.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: FastifyInstance;
let log: CapturedLog;

afterEach(async () => {
  await app?.close();
});

async function setup(): Promise<void> {
  ({ app, log } = await buildTestApp());
  app.get('/test/echo-id', async (request) => ({ id: request.id }));
  app.get('/test/fail', async () => {
    throw new HttpError({ status: 409, code: 'conflict' });
  });
  app.post('/test/login', async (request) => {
    request.log.info({ headers: request.headers, password: 'p4ssw0rd' }, 'handler logged carelessly');
    return { ok: true };
  });
  await app.ready();
}

describe('request id', () => {
  it('echoes a sane incoming x-request-id and exposes it as request.id', async () => {
    await setup();
    const response = await app.inject({ url: '/test/echo-id', headers: { 'x-request-id': 'edge:abc-123' } });
    expect(response.headers['x-request-id']).toBe('edge:abc-123');
    expect(response.json()).toEqual({ id: 'edge:abc-123' });
  });

  it('generates a UUID when none was sent', async () => {
    await setup();
    const response = await app.inject({ url: '/test/echo-id' });
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.json().id).toBe(response.headers['x-request-id']);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a quote', 'id"injected'],
  ])('replaces an id that is %s', async (_label, sent) => {
    await setup();
    const response = await app.inject({ url: '/test/echo-id', headers: { 'x-request-id': sent } });
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.headers['x-request-id']).not.toBe(sent);
  });

  it.each([
    ['an HttpError', 'GET', '/test/fail', 409],
    ['a 404', 'GET', '/test/missing', 404],
    ['a 405', 'DELETE', '/test/echo-id', 405],
    ['/health', 'GET', '/health', 200],
  ] as const)('is returned on %s', async (_label, method, url, status) => {
    await setup();
    const response = await app.inject({ method, url, headers: { 'x-request-id': 'trace-7' } });
    expect(response.statusCode).toBe(status);
    expect(response.headers['x-request-id']).toBe('trace-7');
  });
});

describe('logging', () => {
  it('writes JSON lines carrying request_id and service for each request', async () => {
    await setup();
    await app.inject({ url: '/test/echo-id', headers: { 'x-request-id': 'log-me-1' } });
    const requestLines = log.records().filter((line) => line.request_id === 'log-me-1');
    // One access line per request: method, path, status and time together.
    expect(requestLines.map((line) => line.msg)).toEqual(['request completed']);
    for (const line of requestLines) {
      expect(line.service).toBe('test-service');
      expect(line.version).toBe('1.2.3');
      expect(line).not.toHaveProperty('reqId');
    }
    expect(requestLines[0]).toMatchObject({
      req: { method: 'GET', url: '/test/echo-id' },
      res: { statusCode: 200 },
    });
    expect(typeof requestLines[0]!.responseTime).toBe('number');
  });

  it('never writes Authorization, Cookie, passwords or bodies, even when a handler logs them', async () => {
    await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/test/login?access_token=query-secret',
      headers: { authorization: 'Bearer header-secret', cookie: 'sid=cookie-secret' },
      payload: { password: 'body-secret' },
    });
    expect(response.statusCode).toBe(200);
    const text = log.text();
    expect(text).toContain('handler logged carelessly');
    for (const secret of ['header-secret', 'cookie-secret', 'p4ssw0rd', 'body-secret', 'query-secret']) {
      expect(text).not.toContain(secret);
    }
    const careless = log.records().find((line) => line.msg === 'handler logged carelessly');
    expect(careless).toMatchObject({
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      password: '[redacted]',
    });
  });

  it('logs the request path without its query string', async () => {
    await setup();
    await app.inject({ url: '/test/echo-id?code=oauth-code', headers: { 'x-request-id': 'q-1' } });
    const incoming = log
      .records()
      .find((line) => line.request_id === 'q-1' && line.msg === 'request completed');
    expect(incoming).toMatchObject({ req: { method: 'GET', url: '/test/echo-id' } });
  });

  it('honours logLevel', async () => {
    ({ app, log } = await buildTestApp({ logLevel: 'warn' }));
    app.get('/test/x', async () => 'x');
    await app.inject({ url: '/test/x' });
    expect(log.records().filter((line) => line.msg === 'request completed')).toEqual([]);
  });
});

describe('several apps in one process', () => {
  it('can be built side by side (no global state such as the default metrics registry)', async () => {
    await setup();
    const other = await buildTestApp({ name: 'other-service' });
    try {
      expect(other.app.metrics.registry).not.toBe(app.metrics.registry);
      const response = await other.app.inject({ url: '/health' });
      expect(response.statusCode).toBe(200);
    } finally {
      await other.app.close();
    }
  });
});
