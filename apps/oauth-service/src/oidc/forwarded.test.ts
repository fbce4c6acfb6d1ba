import { createApp } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { pinForwardedHeaders, pinnedForwardedHeaders } from './forwarded.ts';

const PUBLIC_URL = 'https://auth.example.com';
let app: FastifyInstance;

afterEach(async () => {
  await app?.close();
});

/** An app like oauth-service's: gateway on 127.0.0.1 trusted, headers pinned, a route showing what it got. */
async function setup() {
  app = await createApp({
    name: 'oauth-service',
    logLevel: 'silent',
    trustedProxies: ['127.0.0.1/32'],
    openapi: { path: '/api/admin/openapi.json', title: 't', version: '1' },
  });
  pinForwardedHeaders(app, PUBLIC_URL);
  app.get('/oauth/echo', async (request) => ({ headers: request.raw.headers, ip: request.ip }));
  await app.ready();
}

async function seen(remoteAddress: string, headers: Record<string, string>) {
  const response = await app.inject({ url: '/oauth/echo', remoteAddress, headers });
  return response.json() as { headers: Record<string, string>; ip: string };
}

const FORGED = {
  host: 'evil.test',
  'x-forwarded-for': '6.6.6.6, 10.0.0.9',
  'x-forwarded-proto': 'http',
  'x-forwarded-host': 'evil.test',
  forwarded: 'for=6.6.6.6;host=evil.test;proto=http',
};

describe('pinForwardedHeaders', () => {
  it('gives an untrusted peer PUBLIC_URL as origin and its socket address as X-Forwarded-For', async () => {
    await setup();
    const { headers, ip } = await seen('203.0.113.7', FORGED);
    expect(ip).toBe('203.0.113.7');
    expect(headers).toMatchObject({
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'auth.example.com',
    });
    expect(headers.forwarded).toBeUndefined();
  });

  it("keeps a trusted proxy's client address, and still PUBLIC_URL as origin", async () => {
    await setup();
    const { headers, ip } = await seen('127.0.0.1', FORGED);
    expect(ip).toBe('10.0.0.9');
    expect(headers).toMatchObject({
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'auth.example.com',
    });
  });

  it('sets the headers on a request that sent none', async () => {
    await setup();
    const { headers } = await seen('127.0.0.1', {});
    expect(headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-host': 'auth.example.com' });
  });
});

describe('pinnedForwardedHeaders', () => {
  it("takes PUBLIC_URL's scheme and host with its port", () => {
    expect(pinnedForwardedHeaders('http://127.0.0.1:8080', '::1')).toEqual({
      'x-forwarded-for': '::1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': '127.0.0.1:8080',
    });
  });
});
