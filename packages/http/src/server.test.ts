import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from './server.ts';
import { buildTestApp, type CapturedLog } from './test-support.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Fixture {
  app: FastifyInstance;
  log: CapturedLog;
  events: string[];
  /** Resolves when the slow handler has started, i.e. the request is in flight. */
  slowStarted: Promise<void>;
}

let running: RunningServer | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function fixture(onClose?: () => Promise<void>): Promise<Fixture> {
  const events: string[] = [];
  const { app, log } = await buildTestApp({
    onClose:
      onClose ??
      (async () => {
        events.push('onClose');
      }),
  });
  let markStarted: () => void = () => {};
  const slowStarted = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  app.get('/test/quick', async () => ({ ok: true }));
  app.get('/test/slow', async () => {
    markStarted();
    await sleep(300);
    events.push('slow finished');
    return { done: true };
  });
  return { app, log, events, slowStarted };
}

/** A GET on its own connection by default, so no client-side pool outlives the test. */
function get(
  url: string,
  agent: http.Agent | false = false,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
        );
      })
      .on('error', reject);
  });
}

function signalListeners() {
  return { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
}

describe('startServer', () => {
  it('listens and logs one line with the URL', async () => {
    const { app, log } = await fixture();
    running = await startServer(app, { host: '127.0.0.1', port: 0 });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${running.url}/health`)).status).toBe(200);
    const listening = log.records().filter((line) => String(line.msg).includes(running?.url ?? '?'));
    expect(listening).toHaveLength(1);
  });

  it('rejects a nonsense host or port before listening', async () => {
    const { app } = await fixture();
    await expect(startServer(app, { host: '', port: 0 })).rejects.toThrow(/host/);
    await expect(startServer(app, { host: '127.0.0.1', port: 70_000 })).rejects.toThrow(/port/);
    await expect(startServer(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 0 })).rejects.toThrow(
      /shutdownTimeoutMs/,
    );
    await app.close();
  });

  it('close() lets the in-flight request finish, then runs onClose, without exiting', async () => {
    const { app, events, slowStarted, log } = await fixture();
    const exit = vi.fn();
    const server = await startServer(app, { host: '127.0.0.1', port: 0, exit });
    // A keep-alive client, as real ones are: the drain must not wait for its idle connection to time out.
    const keepAlive = new http.Agent({ keepAlive: true });
    const inFlight = get(`${server.url}/test/slow`, keepAlive);
    await slowStarted;

    const started = Date.now();
    const closed = server.close().then(() => events.push('close() resolved'));
    const response = await inFlight;
    await Promise.race([closed, sleep(3_000)]);
    keepAlive.destroy();
    expect(Date.now() - started).toBeLessThan(2_000);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ done: true });
    // Told not to reuse the connection, so the drain does not wait for a keep-alive timeout.
    expect(response.headers.connection).toBe('close');
    expect(events).toEqual(['slow finished', 'onClose', 'close() resolved']);
    expect(exit).not.toHaveBeenCalled();
    expect(log.records().filter((line) => String(line.msg).startsWith('shutting down'))).toHaveLength(1);

    // No longer accepting connections.
    await expect(get(`${server.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('close() is idempotent and removes its signal handlers', async () => {
    const before = signalListeners();
    const { app, events } = await fixture();
    const server = await startServer(app, { host: '127.0.0.1', port: 0 });
    expect(signalListeners()).toEqual({ term: before.term + 1, int: before.int + 1 });
    await Promise.all([server.close(), server.close()]);
    expect(events).toEqual(['onClose']);
    expect(signalListeners()).toEqual(before);
  });

  it('serves a request that reaches the app while it is closing, then closes its connection', async () => {
    const { app, slowStarted } = await fixture();
    running = await startServer(app, { host: '127.0.0.1', port: 0 });
    const { port } = new URL(running.url);

    // An in-flight request keeps the drain going; a second connection has started (but not finished)
    // sending its request when close begins, so the server cannot treat it as idle and drop it.
    const inFlight = get(`${running.url}/test/slow`);
    await slowStarted;
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /test/quick HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: late-1\r\n');
    await sleep(20);

    const closed = running.close();
    await sleep(20);
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      raw += chunk;
    });
    socket.write('\r\n');
    await once(socket, 'close');

    // Served, not refused: behind the gateway (or any keep-alive client) a refusal here would be a failed
    // request during every rolling restart; the connection then closes so the next request goes elsewhere.
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw).toMatch(/\r\nx-request-id: late-1\r\n/i);
    expect(raw).toMatch(/\r\nconnection: close\r\n/i);
    expect((await inFlight).status).toBe(200);
    await closed;
  });
});

describe('drain delay', () => {
  it('keeps serving for the delay, with health at 503 and every response closing its connection', async () => {
    const { app, events } = await fixture();
    running = await startServer(app, { host: '127.0.0.1', port: 0, drainDelayMs: 400 });
    const url = running.url;
    const agent = new http.Agent({ keepAlive: true });
    try {
      expect((await get(`${url}/health`, agent)).status).toBe(200);

      const closed = running.close();
      await sleep(50);
      // New connections are still accepted and served during the delay...
      const during = await get(`${url}/health`);
      expect(during.status).toBe(503);
      expect(JSON.parse(during.body)).toMatchObject({ code: 'draining' });
      expect(during.headers.connection).toBe('close');
      const ready = await get(`${url}/ready`);
      expect(ready.status).toBe(503);
      // ...and so is a request on a connection that was kept alive from before, which then closes.
      const pooled = await get(`${url}/test/quick`, agent);
      expect(pooled.status).toBe(200);
      expect(pooled.headers.connection).toBe('close');
      expect(pooled.headers['x-draining']).toBe('1');
      expect(events).not.toContain('onClose');

      await closed;
      expect(events).toContain('onClose');
      await expect(get(`${url}/health`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a negative drain delay', async () => {
    const { app } = await fixture();
    await expect(startServer(app, { host: '127.0.0.1', port: 0, drainDelayMs: -1 })).rejects.toThrow(
      /drainDelayMs/,
    );
    await app.close();
  });
});

describe('signal handling', () => {
  it('on SIGTERM drains, runs onClose, then exits 0', async () => {
    const before = signalListeners();
    const { app, events, slowStarted } = await fixture();
    let resolveExit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => {
      resolveExit = resolve;
    });
    const server = await startServer(app, { host: '127.0.0.1', port: 0, exit: (code) => resolveExit(code) });
    const inFlight = get(`${server.url}/test/slow`);
    await slowStarted;

    process.emit('SIGTERM', 'SIGTERM');

    expect(await exited).toBe(0);
    expect((await inFlight).status).toBe(200);
    expect(events).toEqual(['slow finished', 'onClose']);
    expect(signalListeners()).toEqual(before);
  });

  it('exits 1 at once on a second signal while draining', async () => {
    const { app, slowStarted } = await fixture();
    const exit = vi.fn();
    running = await startServer(app, { host: '127.0.0.1', port: 0, exit });
    const inFlight = get(`${running.url}/test/slow`);
    await slowStarted;

    process.emit('SIGINT', 'SIGINT');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenLastCalledWith(1);

    await inFlight;
    await running.close();
    // The drain finishing afterwards does not overrule the decision to exit 1.
    await sleep(20);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('exits 1 when onClose fails', async () => {
    const { app, log } = await fixture(async () => {
      throw new Error('database refused to close');
    });
    const exit = vi.fn();
    running = await startServer(app, { host: '127.0.0.1', port: 0, exit });
    process.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    expect(exit).not.toHaveBeenCalledWith(0);
    expect(log.records().some((line) => line.msg === 'shutdown failed')).toBe(true);
    // The drain already happened (and failed); nothing left for afterEach to close.
    running = undefined;
  });

  it('exits 1 when draining outlasts shutdownTimeoutMs', async () => {
    const { app, slowStarted } = await fixture();
    const exit = vi.fn();
    running = await startServer(app, { host: '127.0.0.1', port: 0, exit, shutdownTimeoutMs: 50 });
    const inFlight = get(`${running.url}/test/slow`);
    await slowStarted;
    process.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1), { timeout: 250 });
    await inFlight;
    await running.close();
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
