import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventStream, openEventStream } from './event-stream.ts';
import { buildTestApp } from './test-support.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Serves `route` and returns its base URL. */
async function serve(route: (stream: EventStream) => void): Promise<string> {
  const { app } = await buildTestApp();
  app.get('/events', (request, reply) => route(openEventStream(request, reply, { retryMs: 1500 })));
  await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function open(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) =>
    get(url, { headers: { 'x-request-id': 'sse-1' } }, resolve).on('error', reject),
  );
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += chunk;
  return text;
}

describe('openEventStream', () => {
  it('answers an event stream with the retry delay, ids and JSON data, then ends', async () => {
    const base = await serve((stream) => {
      stream.send({ id: 1, event: 'tick', data: { seq: 1 } });
      stream.send({ event: 'note', data: 'a "quoted" line' });
      stream.end();
      stream.send({ id: 2, event: 'tick', data: { seq: 2 } });
    });
    const response = await open(`${base}/events`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache, no-transform');
    expect(response.headers['x-accel-buffering']).toBe('no');
    expect(response.headers['x-request-id']).toBe('sse-1');
    expect(await readAll(response)).toBe(
      'retry: 1500\n\nid: 1\nevent: tick\ndata: {"seq":1}\n\nevent: note\ndata: "a \\"quoted\\" line"\n\n',
    );
  });

  it('runs its end listeners once when the client goes away', async () => {
    let ends = 0;
    let opened: EventStream | undefined;
    const ended = new Promise<void>((resolve) => {
      void serve((stream) => {
        opened = stream;
        stream.onEnd(() => {
          ends += 1;
          resolve();
        });
      }).then(async (base) => {
        const response = await open(`${base}/events`);
        response.destroy();
      });
    });
    await ended;
    expect(opened?.ended).toBe(true);
    opened?.end();
    expect(ends).toBe(1);
    let late = 0;
    opened?.onEnd(() => {
      late += 1;
    });
    expect(late).toBe(1);
  });
});
