// `GET /kline/ws`: live klines over WebSocket, Binance's request/response protocol on a raw stream endpoint.
//
// Authentication happens at connect, before the upgrade (a bad or missing token gets the usual 401/403
// problem+json and no socket), with a token holding `kline:read`, taken from:
//   - the `Authorization: Bearer <token>` header (servers, CLIs), or `Authorization: DPoP <token>` with a
//     `DPoP` proof header for a DPoP-bound token (RFC 9449): htm `GET`, htu the http(s) form of the public
//     URL (`https://<public host>/kline/ws`, not `wss://`), `ath` of the token, or
//   - the `Sec-WebSocket-Protocol` header, for browsers, which cannot set headers on a WebSocket:
//     `new WebSocket(url, ['kline.v1', 'bearer.' + token])`. The server selects `kline.v1`, never echoing
//     the token back. Browsers require the server to select an offered protocol, hence `kline.v1`.
//     A subprotocol carries no proof, so a DPoP-bound token there is refused like any bound token sent as
//     Bearer (401, `WWW-Authenticate: DPoP error="invalid_token"`): browsers use unbound tokens.
// Never from the query string: URLs end up in proxy and access logs. A first-message login was not chosen:
// it would open sockets for anonymous clients and need a login timeout; the handshake refuses them outright.
// The socket closes (1008 "token expired") when the token expires; the client reconnects with a fresh one.
// Limits: one token holds at most `maxSocketsPerToken` sockets (the next upgrade gets a 429 problem+json and
// no socket), and a client whose unsent data (events and replies alike) passes the hub's `maxBufferedBytes`
// is dropped: a client that sends requests without reading the replies cannot make the server buffer them.
import websocket from '@fastify/websocket';
import { requireScopes } from '@platform/auth';
import { HttpError, problemResponses } from '@platform/http';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { WebSocket } from 'ws';
import type { KlineHub, Subscriber } from './hub.ts';
import { parseStreamName } from './streams.ts';
import { TokenSockets } from './token-sockets.ts';

export const WS_PATH = '/kline/ws';
export const WS_PROTOCOL = 'kline.v1';
const BEARER_PROTOCOL_PREFIX = 'bearer.';
export const MAX_SUBSCRIPTIONS = 200;
const MAX_MESSAGE_BYTES = 16 * 1024;

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

/**
 * Copies a `bearer.<token>` subprotocol into the Authorization header, so the bearer plugin verifies it
 * exactly like a header token. Register before the bearer plugin. Only for the WebSocket path, and never
 * when an Authorization header is present.
 */
export function acceptSubprotocolToken(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization !== undefined) return;
    if (
      !request.url.startsWith(WS_PATH) ||
      (request.url.length > WS_PATH.length && request.url[WS_PATH.length] !== '?')
    )
      return;
    const offered = request.headers['sec-websocket-protocol'];
    if (typeof offered !== 'string') return;
    for (const protocol of offered.split(',')) {
      const trimmed = protocol.trim();
      if (trimmed.startsWith(BEARER_PROTOCOL_PREFIX)) {
        request.headers.authorization = `Bearer ${trimmed.slice(BEARER_PROTOCOL_PREFIX.length)}`;
        return;
      }
    }
  });
}

interface ClientMessage {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

type Reply = { result: unknown; id: unknown } | { error: { code: number; msg: string }; id: unknown };

const validId = (id: unknown) =>
  id === undefined ||
  id === null ||
  (typeof id === 'number' && Number.isSafeInteger(id)) ||
  (typeof id === 'string' && id.length <= 64);

/** Refuses the upgrade (429) when the request's token already holds its share of sockets. */
function limitSocketsPerToken(sockets: TokenSockets): preHandlerAsyncHookHandler {
  return async function limitSocketsPerTokenHook(request) {
    const jti = request.token?.jti;
    if (jti === undefined || sockets.acquire(jti, request.raw.socket)) return;
    throw new HttpError({
      status: 429,
      code: 'too_many_sockets',
      detail: `This token already holds ${sockets.max} WebSockets; close one or use another token.`,
    });
  };
}

export async function wsRoutes(app: FastifyInstance, options: WsOptions): Promise<void> {
  const { hub, pingIntervalMs, knownSymbol, clients } = options;
  const tokenSockets = new TokenSockets(options.maxSocketsPerToken);
  await app.register(websocket, {
    options: {
      maxPayload: MAX_MESSAGE_BYTES,
      // Select kline.v1 when offered; with no protocol offered, none is selected (headers-authenticated
      // clients need not use subprotocols at all).
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  });

  app.get(
    WS_PATH,
    {
      websocket: true,
      preHandler: [requireScopes('kline:read'), limitSocketsPerToken(tokenSockets)],
      schema: {
        summary: 'Live klines over WebSocket (needs kline:read at connect)',
        description:
          'Upgrade to a WebSocket. Send {"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1}; ' +
          'UNSUBSCRIBE and LIST_SUBSCRIPTIONS likewise. Events are Binance kline payloads ' +
          '({"e":"kline","E":…,"s":…,"k":{…,"x":closed}}), at most 10 per second per stream. Token in ' +
          'Authorization: Bearer, or DPoP with a DPoP proof (htu https://<public host>/kline/ws), or as ' +
          'subprotocols ["kline.v1", "bearer.<token>"] (not for DPoP-bound tokens: 401). One token holds at ' +
          `most ${options.maxSocketsPerToken} sockets (429 beyond); a client that does not read what it is sent ` +
          'is dropped once its unsent data passes the buffer limit.',
        security: [{ bearer: ['kline:read'] }],
        response: problemResponses(401, 403, 429),
      },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      clients.inc();
      const streams = new Set<string>();
      let closed = false;
      let dropped = false;
      const subscriber: Subscriber = {
        send: (data) => socket.send(data),
        bufferedAmount: () => socket.bufferedAmount,
        drop: (reason) => {
          if (dropped) return;
          dropped = true;
          request.log.warn({ reason }, 'dropping WebSocket client');
          socket.terminate();
        },
      };

      // Expired tokens do not keep a socket alive.
      const expiresInMs = (request.token?.exp ?? 0) * 1000 - Date.now();
      const expiry = setTimeout(
        () => socket.close(1008, 'token expired'),
        Math.max(0, Math.min(expiresInMs, 2 ** 31 - 1)),
      );

      let alive = true;
      socket.on('pong', () => {
        alive = true;
      });
      const pinger = setInterval(() => {
        if (!alive) {
          request.log.info('WebSocket client missed a pong; closing');
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, pingIntervalMs);

      // Replies obey the same limit as events: a client sending requests without reading is dropped.
      const reply = (message: Reply) => {
        if (socket.readyState !== socket.OPEN) return;
        if (hub.dropIfSlow(subscriber, 'slow consumer: too many unsent replies')) return;
        socket.send(JSON.stringify(message));
      };

      socket.on('message', (data, isBinary) => {
        if (dropped) return;
        if (isBinary) {
          reply({ error: { code: 3, msg: 'Invalid JSON: send text frames' }, id: null });
          return;
        }
        let message: ClientMessage;
        try {
          message = JSON.parse(data.toString());
        } catch {
          reply({ error: { code: 3, msg: 'Invalid JSON' }, id: null });
          return;
        }
        if (typeof message !== 'object' || message === null || Array.isArray(message)) {
          reply({
            error: { code: 2, msg: 'Invalid request: expected an object with method, params and id' },
            id: null,
          });
          return;
        }
        const id = validId(message.id) ? (message.id ?? null) : null;
        if (!validId(message.id)) {
          reply({
            error: {
              code: 2,
              msg: 'Invalid request: id must be an integer or a string of at most 64 characters',
            },
            id,
          });
          return;
        }
        switch (message.method) {
          case 'SUBSCRIBE':
          case 'UNSUBSCRIBE': {
            if (!Array.isArray(message.params) || message.params.length === 0) {
              reply({
                error: { code: 2, msg: 'Invalid request: params must be a non-empty array of stream names' },
                id,
              });
              return;
            }
            const parsed = message.params.map(parseStreamName);
            const bad = message.params.filter((_, i) => parsed[i] === null);
            if (bad.length > 0) {
              reply({
                error: {
                  code: 2,
                  msg: `Invalid request: not a kline stream: ${bad.map((b) => JSON.stringify(b)).join(', ')} (expected <symbol>@kline_<interval>, intervals 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M)`,
                },
                id,
              });
              return;
            }
            const names = parsed.map((p) => p!);
            if (message.method === 'SUBSCRIBE') {
              const unknown = names.filter((n) => !knownSymbol(n.symbol));
              if (unknown.length > 0) {
                reply({
                  error: {
                    code: 2,
                    msg: `Invalid request: unknown symbol: ${[...new Set(unknown.map((n) => n.symbol))].join(', ')} (see GET /kline/api/v1/symbols)`,
                  },
                  id,
                });
                return;
              }
              const adding = names.filter((n) => !streams.has(n.name));
              if (streams.size + new Set(adding.map((n) => n.name)).size > MAX_SUBSCRIPTIONS) {
                reply({
                  error: {
                    code: 2,
                    msg: `Invalid request: at most ${MAX_SUBSCRIPTIONS} streams per connection`,
                  },
                  id,
                });
                return;
              }
              for (const name of adding) {
                streams.add(name.name);
                hub.subscribe(subscriber, name);
              }
            } else {
              for (const name of names) {
                streams.delete(name.name);
                hub.unsubscribe(subscriber, name.name);
              }
            }
            reply({ result: null, id });
            return;
          }
          case 'LIST_SUBSCRIPTIONS':
            reply({ result: [...streams], id });
            return;
          default:
            reply({
              error: {
                code: 2,
                msg: 'Invalid request: method must be SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS',
              },
              id,
            });
        }
      });

      socket.on('close', () => {
        if (closed) return;
        closed = true;
        clearInterval(pinger);
        clearTimeout(expiry);
        for (const name of streams) hub.unsubscribe(subscriber, name);
        streams.clear();
        clients.dec();
      });
    },
  );
}
