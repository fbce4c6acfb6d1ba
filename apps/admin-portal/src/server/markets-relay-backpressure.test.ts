// The relay against a browser that stops reading: kline-service (here a fake that sends as fast as it can)
// keeps producing, and the relay must close that browser and count it instead of queueing without bound.
// Also: kline-service's per-token socket cap reaches the browser as a clear close code.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { relay, SLOW_BROWSER_CLOSE } from './markets-relay.ts';

const LIMIT = 64 * 1024;
const servers: WebSocketServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A fake kline-service that sends 4 KB messages without pause until its socket closes. */
async function floodingUpstream() {
  const { server, url } = await listen();
  const closed = new Promise<void>((resolve) => {
    server.on('connection', (socket) => {
      const message = JSON.stringify({ e: 'kline', pad: 'x'.repeat(4096) });
      const pump = () => {
        if (socket.readyState !== WebSocket.OPEN) return;
        for (let i = 0; i < 32; i += 1) socket.send(message);
        setImmediate(pump);
      };
      pump();
      socket.on('close', () => resolve());
    });
  });
  return { url, closed };
}

/** A browser that completes the handshake and then never reads another byte. */
function stuckBrowser(url: string): Promise<Socket> {
  const target = new URL(url);
  const socket = connect({ host: target.hostname, port: Number(target.port) });
  sockets.push(socket);
  socket.on('error', () => {});
  socket.once('connect', () =>
    socket.write(
      `GET / HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ),
  );
  return new Promise((resolve) =>
    socket.once('data', () => {
      socket.pause();
      resolve(socket);
    }),
  );
}

it('closes a browser that does not read (1008 slow consumer), counts it, and closes its upstream', async () => {
  const upstream = await floodingUpstream();
  const { server: portal, url } = await listen();
  let drops = 0;
  let peakBuffered = 0;
  const browserClosed = new Promise<number>((resolve) => {
    portal.on('connection', (browser) => {
      const probe = setInterval(() => {
        peakBuffered = Math.max(peakBuffered, browser.bufferedAmount);
      }, 5);
      browser.on('close', (code) => {
        clearInterval(probe);
        resolve(code);
      });
      relay(browser, new WebSocket(upstream.url), { maxBufferedBytes: LIMIT, onDrop: () => (drops += 1) });
    });
  });
  await stuckBrowser(url);
  const outcome = await Promise.race([
    browserClosed,
    new Promise<string>((resolve) => setTimeout(() => resolve('still open after 5 s'), 5_000)),
  ]);
  expect(outcome, `peak unsent bytes: ${peakBuffered}`).not.toBe('still open after 5 s');
  expect(drops).toBe(1);
  // Closed by the relay: its close frame could not be delivered, so the connection was cut after the grace.
  expect([SLOW_BROWSER_CLOSE.code, 1006]).toContain(outcome);
  await upstream.closed;
  // Bounded: the limit plus what one check lets through (one message), not the whole flood.
  expect(peakBuffered).toBeLessThan(LIMIT + 8 * 1024);
});

it('relays normally to a browser that reads', async () => {
  const upstream = await listen();
  upstream.server.on('connection', (socket) =>
    socket.on('message', (data) => socket.send(`echo:${data.toString()}`)),
  );
  const { server: portal, url } = await listen();
  let drops = 0;
  portal.on('connection', (browser) =>
    relay(browser, new WebSocket(upstream.url), { maxBufferedBytes: LIMIT, onDrop: () => (drops += 1) }),
  );
  const browser = new WebSocket(url);
  await new Promise((resolve) => browser.once('open', resolve));
  browser.send('hello');
  const [reply] = await new Promise<[Buffer]>((resolve) =>
    browser.once('message', (...a) => resolve([a[0] as Buffer])),
  );
  expect(reply.toString()).toBe('echo:hello');
  expect(drops).toBe(0);
  browser.close();
});

it('tells the browser when kline-service refuses the socket for too many on one token (1013)', async () => {
  const { createServer } = await import('node:http');
  const refusing = createServer();
  refusing.on('upgrade', (_request, socket) =>
    socket.end('HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'),
  );
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `ws://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  const { server: portal, url } = await listen();
  portal.on('connection', (browser) =>
    relay(browser, new WebSocket(upstreamUrl), { maxBufferedBytes: LIMIT, onDrop: () => {} }),
  );
  const browser = new WebSocket(url);
  const closed = await new Promise<[number, string]>((resolve) =>
    browser.once('close', (code, reason) => resolve([code, reason.toString()])),
  );
  expect(closed).toEqual([1013, 'too many live connections for this session']);
  await new Promise((resolve) => refusing.close(resolve));
});
