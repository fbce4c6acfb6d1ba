import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { PortalConfig } from '../lib/config.ts';
import { openSession, SESSION_COOKIE, type StoredSession } from '../lib/session/store.ts';

// The Markets page's live connection: the browser opens a WebSocket to the portal (same origin, its session
// cookie), and the portal opens one to kline-service on the internal network with the session's kline token
// in the Authorization header, then relays frames both ways. The token never reaches the browser (a browser
// WebSocket could only carry it in a subprotocol, readable by the page's JavaScript). The session cookie
// cannot be refreshed on an upgrade: the page asks /admin/markets/session first (proxy.ts refreshes there),
// and when kline-service closes the socket at the token's expiry the page does that again and reconnects.
// A browser that stops reading is closed (1008 "slow consumer") once RELAY_MAX_BUFFERED_BYTES wait unsent
// for it, and counted: the portal never holds an unbounded backlog for one tab.

export const MARKETS_WS_PATH = '/admin/markets/ws';
/** Unsent bytes one browser may have waiting before the relay drops it (kline-service's own default). */
export const RELAY_MAX_BUFFERED_BYTES = 1024 * 1024;
export const SLOW_BROWSER_CLOSE = { code: 1008, reason: 'slow consumer: the browser did not read' } as const;
/** How long a dropped browser gets to take the close frame before its connection is cut. */
const CLOSE_GRACE_MS = 1_000;

export interface RelayLimits {
  maxBufferedBytes: number;
  /** Counts a browser dropped for not reading. */
  onDrop(): void;
}

/** The session cookie's value in a Cookie header, if any. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * Why an upgrade is refused, or null when it may proceed. Browsers send Origin on every WebSocket handshake:
 * requiring the portal's own origin stops another site from opening this socket with the user's cookie
 * (cross-site WebSocket hijacking).
 */
export function refusal(
  origin: string | undefined,
  session: StoredSession | null,
  portalOrigin: string,
  nowSeconds = Date.now() / 1000,
): { status: number; reason: string } | null {
  if (origin !== portalOrigin) return { status: 403, reason: 'cross-origin WebSocket refused' };
  if (!session) return { status: 401, reason: 'no session' };
  if (!session.kline || session.kline.expiresAt <= nowSeconds + 5)
    return { status: 401, reason: 'no kline token' };
  return null;
}

function reject(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** Relays frames between a browser socket and its kline-service socket until either side closes. */
export function relay(browser: WebSocket, upstream: WebSocket, limits: RelayLimits): void {
  const pending: string[] = [];
  let dropped = false;
  browser.on('message', (data) => {
    const text = data.toString();
    if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
    else if (pending.length < 100) pending.push(text);
  });
  upstream.on('open', () => {
    for (const text of pending.splice(0)) upstream.send(text);
  });
  upstream.on('message', (data) => {
    if (dropped || browser.readyState !== WebSocket.OPEN) return;
    if (browser.bufferedAmount > limits.maxBufferedBytes) {
      dropped = true;
      limits.onDrop();
      upstream.close();
      browser.close(SLOW_BROWSER_CLOSE.code, SLOW_BROWSER_CLOSE.reason);
      // The close frame waits behind what the browser has not read; it need not wait long.
      setTimeout(() => browser.terminate(), CLOSE_GRACE_MS).unref();
      return;
    }
    browser.send(data.toString());
  });
  // Close codes 1005/1006 cannot be sent; anything else (e.g. 1008 at token expiry) is passed on.
  const sendable = (code: number) => (code === 1005 || code === 1006 ? 1011 : code);
  upstream.on('close', (code, reason) => {
    if (!dropped && browser.readyState === WebSocket.OPEN) browser.close(sendable(code), reason.toString());
  });
  upstream.on('error', (error) => {
    if (dropped || browser.readyState !== WebSocket.OPEN) return;
    // kline-service caps sockets per token: the session's token already holds its share (other tabs).
    if (error.message.endsWith(': 429')) browser.close(1013, 'too many live connections for this session');
    else browser.close(1011, 'kline-service unavailable');
  });
  browser.on('close', () => upstream.close());
  browser.on('error', () => upstream.terminate());
}

/** Handles one upgrade request for MARKETS_WS_PATH. */
export function createMarketsRelay(
  config: Pick<PortalConfig, 'portalUrl' | 'klineApiUrl'>,
  limits: RelayLimits = { maxBufferedBytes: RELAY_MAX_BUFFERED_BYTES, onDrop: () => {} },
) {
  const server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const portalOrigin = new URL(config.portalUrl).origin;
  const upstreamUrl = `${config.klineApiUrl.replace(/^http/, 'ws')}/kline/ws`;

  return async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const session = await openSession(sessionCookie(request.headers.cookie)).catch(() => null);
    const refused = refusal(request.headers.origin, session, portalOrigin);
    if (refused) return reject(socket, refused.status, refused.reason);
    server.handleUpgrade(request, socket, head, (browser) => {
      const upstream = new WebSocket(upstreamUrl, {
        headers: { authorization: `Bearer ${session!.kline!.accessToken}` },
      });
      relay(browser, upstream, limits);
    });
  };
}
