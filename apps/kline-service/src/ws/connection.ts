// One WebSocket connection, from the accepted upgrade to its close: the hub's subscriber, the token's
// expiry, the ping that detects a dead peer, and the replies to the client's requests.
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { KlineHub, Subscriber } from './hub.ts';
import { answerRequest, type Subscriptions, type WsReply } from './requests.ts';

export interface WsOptions {
  hub: KlineHub;
  /** Server ping period; a client that has not answered the previous ping by the next one is dropped. */
  pingIntervalMs: number;
  /** Whether a stream's symbol exists (has trades). */
  knownSymbol(symbol: string): boolean;
  clients: { inc(): void; dec(): void };
  /** WebSockets one access token (by `jti`) may hold open at once. */
  maxSocketsPerToken: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The hub's handle on this socket; `dropped()` says whether the hub has cut it off. */
function subscriberFor(socket: WebSocket, request: FastifyRequest): Subscriber & { dropped(): boolean } {
  let dropped = false;
  return {
    send: (data) => socket.send(data),
    bufferedAmount: () => socket.bufferedAmount,
    drop: (reason) => {
      if (dropped) return;
      dropped = true;
      request.log.warn({ reason }, 'dropping WebSocket client');
      socket.terminate();
    },
    dropped: () => dropped,
  };
}

/** Pings every period; a client that did not answer the previous ping is gone. Returns the timer. */
function keepAlive(socket: WebSocket, request: FastifyRequest, periodMs: number): NodeJS.Timeout {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  return setInterval(() => {
    if (!alive) {
      request.log.info('WebSocket client missed a pong; closing');
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, periodMs);
}

/** Expired tokens do not keep a socket alive: it closes (1008) when the token expires. */
function closeAtExpiry(socket: WebSocket, request: FastifyRequest): NodeJS.Timeout {
  const expiresInMs = (request.token?.exp ?? 0) * 1000 - Date.now();
  return setTimeout(
    () => socket.close(1008, 'token expired'),
    Math.max(0, Math.min(expiresInMs, MAX_TIMER_MS)),
  );
}

export function serveConnection(socket: WebSocket, request: FastifyRequest, options: WsOptions): void {
  const { hub, clients } = options;
  clients.inc();
  const subscriber = subscriberFor(socket, request);
  const subscriptions: Subscriptions = {
    names: new Set<string>(),
    knownSymbol: options.knownSymbol,
    subscribe(stream) {
      this.names.add(stream.name);
      hub.subscribe(subscriber, stream);
    },
    unsubscribe(name) {
      this.names.delete(name);
      hub.unsubscribe(subscriber, name);
    },
  };
  const expiry = closeAtExpiry(socket, request);
  const pinger = keepAlive(socket, request, options.pingIntervalMs);

  // Replies obey the same limit as events: a client sending requests without reading is dropped.
  const reply = (message: WsReply) => {
    if (socket.readyState !== socket.OPEN) return;
    if (hub.dropIfSlow(subscriber, 'slow consumer: too many unsent replies')) return;
    socket.send(JSON.stringify(message));
  };
  socket.on('message', (data, isBinary) => {
    if (subscriber.dropped()) return;
    reply(answerRequest(data, isBinary, subscriptions));
  });

  let closed = false;
  socket.on('close', () => {
    if (closed) return;
    closed = true;
    clearInterval(pinger);
    clearTimeout(expiry);
    for (const name of subscriptions.names) hub.unsubscribe(subscriber, name);
    subscriptions.names.clear();
    clients.dec();
  });
}
