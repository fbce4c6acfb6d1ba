import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, urlOf } from './api-client.ts';
import { ApiError, parseProblem } from './problem.ts';

// Against a real HTTP server answering as the platform's services do (JSON, 204, RFC 9457 problems).

describe('ApiError', () => {
  it('carries the problem and says its detail, else its title, else the fallback', () => {
    const problem = {
      type: 'urn:problem:validation',
      title: 'Bad Request',
      status: 400,
      detail: 'redirect_uris must be URLs',
      code: 'validation',
      request_id: 'r-1',
      errors: [
        { in: 'body', path: '/redirect_uris/0', message: 'must be a URL' },
        { in: 'body', path: '/redirect_uris/1', message: 'must be https' },
        { in: 'body', path: '', message: 'is not an object' },
      ],
    };
    const error = new ApiError(400, problem);
    expect(error).toMatchObject({ status: 400, code: 'validation', requestId: 'r-1', title: 'Bad Request' });
    expect(error.message).toBe('redirect_uris must be URLs');
    expect(error.fieldErrors).toEqual({ redirect_uris: 'must be a URL' });
    expect(error.pointerErrors).toEqual({
      '/redirect_uris/0': 'must be a URL',
      '/redirect_uris/1': 'must be https',
      '/': 'is not an object',
    });
    expect(new ApiError(404, { title: 'Not Found' }).message).toBe('Not Found');
    expect(new ApiError(502, {}, 'HTTP 502').message).toBe('HTTP 502');
  });

  it('reads a problem from any body, and nothing from one that is not a JSON object', () => {
    expect(parseProblem('{"title":"Conflict"}')).toEqual({ title: 'Conflict' });
    expect(parseProblem('not found')).toEqual({});
    expect(parseProblem('[1]')).toEqual({});
    expect(parseProblem('')).toEqual({});
  });
});

describe('createApiClient', () => {
  let server: Server;
  let base = '';
  const seen: Array<{
    method?: string;
    url?: string;
    authorization?: string;
    type?: string;
    body: string;
  }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        seen.push({
          method: request.method,
          url: request.url,
          authorization: request.headers.authorization,
          ...(request.headers['content-type'] ? { type: request.headers['content-type'] } : {}),
          body,
        });
        if (request.url?.startsWith('/api/empty')) {
          response.writeHead(204);
          return response.end();
        }
        if (request.url?.startsWith('/api/refused')) {
          response.writeHead(409, { 'content-type': 'application/problem+json' });
          return response.end(
            JSON.stringify({ title: 'Conflict', status: 409, detail: 'Name taken.', code: 'taken' }),
          );
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (token?: () => string) =>
    createApiClient({
      baseUrl: base,
      describeStatus: (s) => `svc answered ${s}.`,
      ...(token ? { token } : {}),
    });

  it('sends the bearer token and JSON, leaves empty query values out, and parses the answer', async () => {
    const answer = await client(() => 'tok').request('POST', '/things', {
      query: { a: 1, b: '', c: undefined },
      body: { name: 'x' },
    });
    expect(answer).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/api/things?a=1',
      authorization: 'Bearer tok',
      type: 'application/json',
      body: '{"name":"x"}',
    });
    expect(await client().request('DELETE', '/empty')).toBeUndefined();
    expect(seen.at(-1)?.authorization).toBeUndefined();
  });

  it('sends a text body as it is, with its media type', async () => {
    await client().request('POST', '/yaml', { text: { content: 'id: a\n', type: 'application/yaml' } });
    expect(seen.at(-1)).toMatchObject({ type: 'application/yaml', body: 'id: a\n' });
  });

  it('turns a problem answer into an ApiError', async () => {
    const refused = client().request('GET', '/refused');
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'taken', message: 'Name taken.' });
  });

  it('refuses before sending when the token says so, and reports an unreachable service as 503', async () => {
    const count = seen.length;
    const refuse = () => {
      throw new ApiError(403, { detail: 'No permission.' });
    };
    await expect(client(refuse).request('GET', '/x')).rejects.toMatchObject({ status: 403 });
    expect(seen.length).toBe(count);
    const down = createApiClient({
      baseUrl: 'http://127.0.0.1:9',
      describeStatus: String,
      unreachable: 'svc did not answer.',
    });
    await expect(down.request('GET', '/x')).rejects.toMatchObject({
      status: 503,
      message: 'svc did not answer.',
    });
  });

  it('builds relative URLs for the browser', () => {
    expect(urlOf('/admin/markets/api', '/klines', { symbol: 'BTCUSDT', endTime: undefined })).toBe(
      '/admin/markets/api/klines?symbol=BTCUSDT',
    );
  });
});
