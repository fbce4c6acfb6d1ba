import type { FastifyInstance } from 'fastify';
import { Counter, register as globalRegistry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from './test-support.ts';

let app: FastifyInstance;

beforeEach(async () => {
  ({ app } = await buildTestApp());
  app.get('/test/api/v1/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  await app.ready();
});

afterEach(async () => {
  await app.close();
});

const scrape = async () => {
  const response = await app.inject({ url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return response.body;
};

describe('GET /metrics', () => {
  it('serves Prometheus text including default process metrics', async () => {
    const response = await app.inject({ url: '/metrics' });
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('# TYPE process_cpu_seconds_total counter');
    expect(response.body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts requests by method, route template and status, never by raw URL', async () => {
    await app.inject({ url: '/test/api/v1/items/1' });
    await app.inject({ url: '/test/api/v1/items/2' });
    const body = await scrape();
    expect(body).toContain('http_requests_total{method="GET",route="/test/api/v1/items/:id",status="200"} 2');
    expect(body).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/test\/api\/v1\/items\/:id",status="200"\} \d+/,
    );
    expect(body).toContain(
      'http_request_duration_seconds_count{method="GET",route="/test/api/v1/items/:id",status="200"} 2',
    );
    expect(body).toMatch(/http_request_duration_seconds_bucket\{le="10",/);
    expect(body).not.toContain('items/1"');
    expect(body).not.toContain('items/2"');
  });

  it('labels unmatched requests "unmatched" so random URLs cannot create series', async () => {
    await app.inject({ url: '/random/a1b2c3' });
    await app.inject({ url: '/random/d4e5f6' });
    await app.inject({ method: 'POST', url: '/test/api/v1/items/1' });
    const body = await scrape();
    expect(body).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 2');
    expect(body).toContain('http_requests_total{method="POST",route="unmatched",status="405"} 1');
    expect(body).not.toContain('a1b2c3');
  });

  it('records error responses with their status', async () => {
    await app.close();
    ({ app } = await buildTestApp());
    app.get('/test/broken', async () => {
      throw new Error('x');
    });
    await app.inject({ url: '/test/broken' });
    expect(await scrape()).toContain('http_requests_total{method="GET",route="/test/broken",status="500"} 1');
  });

  it('exposes a per-app registry that services can add metrics to', async () => {
    const logins = new Counter({ name: 'logins_total', help: 'Logins.', registers: [app.metrics.registry] });
    logins.inc(3);
    expect(await scrape()).toContain('logins_total 3');
    expect(globalRegistry.getSingleMetric('logins_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('http_requests_total')).toBeUndefined();
  });
});
