// A WebSocket client that is only a TCP socket: it completes the handshake, then writes frames and never
// reads, the way a hostile or stuck client behaves. Library clients read eagerly, so they cannot show what a
// server does when nobody drains what it sends.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWebSocket {
  socket: Socket;
  /** Resolves when the server ends or resets the connection. */
  closed: Promise<void>;
  /** Writes one masked text frame; resolves false once the connection is gone. */
  sendText(text: string): Promise<boolean>;
}

/** A masked client text frame (RFC 6455 §5.2), payloads below 64 KiB. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 65_536) throw new RangeError('textFrame: payload too large');
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const mask = randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i += 1) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

/**
 * Opens a WebSocket on `url` (ws://host:port/path) with extra request headers, reads the 101 response, and
 * from then on stops reading. Rejects with the status line when the server refuses the upgrade.
 */
export function openRawWebSocket(url: string, headers: Record<string, string>): Promise<RawWebSocket> {
  const target = new URL(url);
  const socket = connect({ host: target.hostname, port: Number(target.port) });
  const request = [
    `GET ${target.pathname} HTTP/1.1`,
    `Host: ${target.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      const status = head.slice(0, head.indexOf('\r\n'));
      if (!status.includes(' 101 ')) {
        socket.destroy();
        reject(new Error(status));
        return;
      }
      resolve({ socket, closed, sendText: (text) => write(socket, textFrame(text)) });
    };
    socket.on('data', onData);
    socket.once('connect', () => socket.write(request));
    socket.once('close', () => reject(new Error('connection closed during the handshake')));
  });
}

function write(socket: Socket, frame: Buffer): Promise<boolean> {
  if (socket.destroyed || socket.writableEnded) return Promise.resolve(false);
  if (socket.write(frame)) return Promise.resolve(true);
  // The server stopped reading too (or is gone): wait for room or the end.
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
