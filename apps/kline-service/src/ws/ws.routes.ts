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
import { type App, HttpError, problemResponses } from '@platform/http';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { WebSocket } from 'ws';
import { serveConnection, type WsOptions } from './connection.ts';
import { TokenSockets } from './token-sockets.ts';

export const WS_PATH = '/kline/ws';
export const WS_PROTOCOL = 'kline.v1';
const BEARER_PROTOCOL_PREFIX = 'bearer.';
const MAX_MESSAGE_BYTES = 16 * 1024;

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

const wsSchema = (maxSocketsPerToken: number) =>
  ({
    summary: 'Live klines over WebSocket (needs kline:read at connect)',
    description:
      'Upgrade to a WebSocket. Send {"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1}; ' +
      'UNSUBSCRIBE and LIST_SUBSCRIPTIONS likewise. Events are Binance kline payloads ' +
      '({"e":"kline","E":…,"s":…,"k":{…,"x":closed}}), at most 10 per second per stream. Token in ' +
      'Authorization: Bearer, or DPoP with a DPoP proof (htu https://<public host>/kline/ws), or as ' +
      'subprotocols ["kline.v1", "bearer.<token>"] (not for DPoP-bound tokens: 401). One token holds at ' +
      `most ${maxSocketsPerToken} sockets (429 beyond); a client that does not read what it is sent ` +
      'is dropped once its unsent data passes the buffer limit.',
    security: [{ bearer: ['kline:read'] }],
    response: problemResponses(401, 403, 429),
  }) as const;

export async function wsRoutes(app: App, options: WsOptions): Promise<void> {
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
      schema: wsSchema(options.maxSocketsPerToken),
    },
    (socket: WebSocket, request: FastifyRequest) => serveConnection(socket, request, options),
  );
}
