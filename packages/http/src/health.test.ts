import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadinessCheck } from './options.ts';
import { buildTestApp, type CapturedLog } from './test-support.ts';

let app: FastifyInstance;
let log: CapturedLog;

afterEach(async () => {
  await app?.close();
});

async function withChecks(readiness: Record<string, ReadinessCheck>, readinessTimeoutMs?: number) {
  ({ app, log } = await buildTestApp({
    readiness,
    ...(readinessTimeoutMs ? { readinessTimeoutMs } : {}),
  }));
}

describe('GET /health', () => {
  it('answers 200 {status: ok} without running readiness checks', async () => {
    let ran = false;
    await withChecks({
      database: async () => {
        ran = true;
        throw new Error('down');
      },
    });
    const response = await app.inject({ url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(ran).toBe(false);
  });
});

describe('GET /ready', () => {
  it('answers 200 with every check ok', async () => {
    await withChecks({ database: async () => {}, cache: async () => {} });
    const response = await app.inject({ url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', cache: 'ok' } });
  });

  it('answers 200 when the service has no dependencies', async () => {
    await withChecks({});
    const response = await app.inject({ url: '/ready' });
    expect(response.json()).toEqual({ status: 'ready', checks: {} });
  });

  it('answers 503 not_ready naming the failing check, logging but not leaking the reason', async () => {
    await withChecks({
      database: async () => {
        throw new Error('password authentication failed for user "platform"');
      },
      cache: async () => {},
    });
    const response = await app.inject({ url: '/ready', headers: { 'x-request-id': 'ready-1' } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['x-request-id']).toBe('ready-1');
    const problem = response.json();
    expect(problem).toMatchObject({
      code: 'not_ready',
      status: 503,
      request_id: 'ready-1',
      checks: { database: 'failed', cache: 'ok' },
    });
    expect(problem.detail).toContain('database');
    expect(problem.detail).not.toContain('cache');
    expect(response.body).not.toContain('password authentication');

    const logged = log.records().find((line) => line.msg === 'readiness check failed');
    expect(logged).toMatchObject({ check: 'database', request_id: 'ready-1', level: 40 });
    expect(JSON.stringify(logged)).toContain('password authentication failed');
  });

  it('answers 503 when a check hangs past the timeout', async () => {
    await withChecks({ database: () => new Promise(() => {}) }, 50);
    const started = Date.now();
    const response = await app.inject({ url: '/ready' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(response.statusCode).toBe(503);
    expect(response.json().checks).toEqual({ database: 'timed_out' });
  });
});
