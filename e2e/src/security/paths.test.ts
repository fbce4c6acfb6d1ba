// Path tricks at the edge: dot segments, encoded dots and separators and doubled slashes must never carry a
// request past the gateway's routing or its /metrics allowlist to a service's own endpoint (the console's
// /metrics answered `/./metrics` through the `/` route). Every upstream here is one recorder, so the test sees
// exactly which paths the gateway forwarded.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../ops/gateway.ts';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends `path` byte for byte (fetch and URL would resolve dot segments before sending). */
function rawGet(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const TRICKS = [
  '/./metrics',
  '/%2e/metrics',
  '/%2E/metrics',
  '/admin/../metrics',
  '/admin/%2e%2e/metrics',
  '/admin/%2E%2e/metrics',
  '/admin/.%2e/metrics',
  '//metrics',
  '/admin//../metrics',
  '/test/../metrics',
  '/kline/%2e%2e/metrics',
  '/admin%2fmetrics',
  '/admin%2F..%2Fmetrics',
  '/admin%5c..%5cmetrics',
  '/admin\\..\\metrics',
  '/admin/%00/metrics',
];

describe('the gateway normalises or refuses path tricks before routing and the metrics allowlist', () => {
  const received: string[] = [];
  let upstream: Server;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url !== '/health') received.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`upstream saw ${req.url}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const at = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gateway = await startGateway({
      UPSTREAM_OAUTH_1: at,
      UPSTREAM_ADMIN_PORTAL_1: at,
      UPSTREAM_KLINE_1: at,
      UPSTREAM_FLOW_1: at,
      UPSTREAM_TEST_1: at,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  it.each(TRICKS)('%s reaches no service metrics', async (path) => {
    const before = received.length;
    const answer = await rawGet(gateway.port, path);
    const forwarded = received.slice(before);
    // Either refused as a bad path, or resolved to the gateway's own /metrics (loopback is on its allowlist);
    // never an upstream's answer.
    if (answer.status === 400) {
      expect(answer.contentType).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400 });
    } else {
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('pingora_requests_total');
    }
    expect(forwarded).toEqual([]);
  });

  it('forwards a path that only looks like a trick as the path it routed, once normalised', async () => {
    const before = received.length;
    const answer = await rawGet(gateway.port, '/admin/users/../roles?x=/./');
    expect(answer.status).toBe(200);
    expect(received.slice(before)).toEqual(['/admin/roles?x=/./']);
  });

  it('refuses a path that climbs above the root', async () => {
    const answer = await rawGet(gateway.port, '/../metrics');
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
  });
});
