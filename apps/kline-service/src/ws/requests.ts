// The client's side of the WebSocket protocol (Binance's): SUBSCRIBE, UNSUBSCRIBE and LIST_SUBSCRIPTIONS
// requests, each answered by a reply with the request's id, a result or an error.
import type { RawData } from 'ws';
import { parseStreamName, type StreamName } from './streams.ts';

export const MAX_SUBSCRIPTIONS = 200;

export type WsReply =
  | { result: unknown; id: unknown }
  | { error: { code: number; msg: string }; id: unknown };

/** What a request may change: the connection's subscriptions, in the hub and in its own list. */
export interface Subscriptions {
  /** Names of the streams this connection receives. */
  readonly names: Set<string>;
  knownSymbol(symbol: string): boolean;
  subscribe(stream: StreamName): void;
  unsubscribe(name: string): void;
}

interface ClientMessage {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

const INVALID_JSON = 3;
const INVALID_REQUEST = 2;

const invalid = (msg: string, id: unknown = null): WsReply => ({
  error: { code: INVALID_REQUEST, msg: `Invalid request: ${msg}` },
  id,
});

const validId = (id: unknown) =>
  id === undefined ||
  id === null ||
  (typeof id === 'number' && Number.isSafeInteger(id)) ||
  (typeof id === 'string' && id.length <= 64);

/** The request in a frame, or the reply refusing a frame that is not one. */
function parseRequest(data: RawData, isBinary: boolean): { message: ClientMessage; id: unknown } | WsReply {
  if (isBinary) return { error: { code: INVALID_JSON, msg: 'Invalid JSON: send text frames' }, id: null };
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return { error: { code: INVALID_JSON, msg: 'Invalid JSON' }, id: null };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return invalid('expected an object with method, params and id');
  const { id } = message as ClientMessage;
  if (!validId(id)) return invalid('id must be an integer or a string of at most 64 characters');
  return { message: message as ClientMessage, id: id ?? null };
}

/** The streams named by a (UN)SUBSCRIBE request's params, or the reply refusing them. */
function streamParams(params: unknown, id: unknown): StreamName[] | WsReply {
  if (!Array.isArray(params) || params.length === 0)
    return invalid('params must be a non-empty array of stream names', id);
  const parsed = params.map(parseStreamName);
  const bad = params.filter((_, i) => parsed[i] === null);
  if (bad.length > 0) {
    const names = bad.map((b) => JSON.stringify(b)).join(', ');
    return invalid(
      `not a kline stream: ${names} (expected <symbol>@kline_<interval>, intervals 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M)`,
      id,
    );
  }
  return parsed.map((p) => p!);
}

function subscribe(streams: StreamName[], subscriptions: Subscriptions, id: unknown): WsReply {
  const unknown = streams.filter((stream) => !subscriptions.knownSymbol(stream.symbol));
  if (unknown.length > 0) {
    const symbols = [...new Set(unknown.map((stream) => stream.symbol))].join(', ');
    return invalid(`unknown symbol: ${symbols} (see GET /kline/api/v1/symbols)`, id);
  }
  const adding = streams.filter((stream) => !subscriptions.names.has(stream.name));
  if (subscriptions.names.size + new Set(adding.map((stream) => stream.name)).size > MAX_SUBSCRIPTIONS)
    return invalid(`at most ${MAX_SUBSCRIPTIONS} streams per connection`, id);
  for (const stream of adding) subscriptions.subscribe(stream);
  return { result: null, id };
}

function unsubscribe(streams: StreamName[], subscriptions: Subscriptions, id: unknown): WsReply {
  for (const stream of streams) subscriptions.unsubscribe(stream.name);
  return { result: null, id };
}

/** The reply to one frame from the client, after applying what it asks. */
export function answerRequest(data: RawData, isBinary: boolean, subscriptions: Subscriptions): WsReply {
  const request = parseRequest(data, isBinary);
  if (!('message' in request)) return request;
  const { message, id } = request;
  switch (message.method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      const streams = streamParams(message.params, id);
      if (!Array.isArray(streams)) return streams;
      return message.method === 'SUBSCRIBE'
        ? subscribe(streams, subscriptions, id)
        : unsubscribe(streams, subscriptions, id);
    }
    case 'LIST_SUBSCRIPTIONS':
      return { result: [...subscriptions.names], id };
    default:
      return invalid('method must be SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS', id);
  }
}
