import { ApiError } from '../../lib/api/problem.ts';
import {
  applyLiveCandle,
  type Candle,
  klineEventFrom,
  mergeCandles,
  streamName,
} from '../../lib/markets/candles.ts';
import { type KlineApi, PAGE_SIZE } from '../../lib/markets/kline-client.ts';

// One market's candles in the browser: the live WebSocket (subscribed before the history request so nothing
// falls between the two; events that arrive first are applied on top of the history) and the latest page
// over REST, with a reconnect (and a fresh token) when the socket closes: kline-service closes it when the
// token expires, and the relay passes that on.

export type Phase = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };
export type Live = 'connecting' | 'live' | 'reconnecting';

export const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message : 'Something went wrong.';

export interface CandleStreamOptions {
  api: KlineApi;
  checkSession: () => Promise<void>;
  /** The portal's WebSocket relay path, e.g. /admin/markets/ws (same origin). */
  wsPath: string;
  symbol: string;
  interval: string;
}

export interface CandleStreamEvents {
  setPhase(phase: Phase): void;
  setLive(live: Live): void;
  updateCandles(update: (series: Candle[]) => Candle[]): void;
  /** The first page arrived: whether older pages may exist. */
  firstPage(hasMore: boolean): void;
}

type SocketMessage = { kind: 'subscribed' } | { kind: 'candle'; candle: Candle } | null;

/** What one socket message means: the subscription confirmed, a candle of the selection, or nothing. */
function readMessage(text: string, symbol: string, interval: string): SocketMessage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const reply = data as { id?: unknown; result?: unknown };
  if (reply.id === 1 && reply.result === null) return { kind: 'subscribed' };
  try {
    const kline = klineEventFrom(data);
    if (kline && kline.symbol === symbol && kline.interval === interval)
      return { kind: 'candle', candle: kline.candle };
  } catch {
    // A malformed event is not drawn.
  }
  return null;
}

/** The series with the latest page: the page alone at first, merged after a reconnect; early candles on top. */
function withLatestPage(series: Candle[], page: Candle[], merge: boolean, early: Candle[]): Candle[] {
  let merged = merge ? mergeCandles(series, page) : page;
  for (const candle of early.splice(0)) merged = applyLiveCandle(merged, candle).series;
  return merged;
}

/** A socket to the relay that subscribes to the selection's candles once open. */
function openSocket(wsPath: string, symbol: string, interval: string): WebSocket {
  const origin = window.location.origin.replace(/^http/, 'ws');
  const ws = new WebSocket(`${origin}${wsPath}`);
  ws.onopen = () => {
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: [streamName(symbol, interval)], id: 1 }));
  };
  return ws;
}

/** Starts the stream; the returned function stops it (closing the socket and any pending reconnect). */
export function startCandleStream(options: CandleStreamOptions, events: CandleStreamEvents): () => void {
  const { api, symbol, interval } = options;
  let disposed = false;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let history = false;
  const early: Candle[] = [];

  const apply = (candle: Candle) => {
    if (!history) early.push(candle);
    else events.updateCandles((series) => applyLiveCandle(series, candle).series);
  };

  async function loadLatest() {
    try {
      const page = await api.klines(symbol, interval);
      if (disposed) return;
      const merge = history;
      events.updateCandles((series) => withLatestPage(series, page, merge, early));
      if (!history) events.firstPage(page.length === PAGE_SIZE);
      history = true;
      events.setPhase({ kind: 'ready' });
    } catch (error) {
      if (!disposed && !history) events.setPhase({ kind: 'error', message: errorMessage(error) });
    }
  }

  function reconnect() {
    if (disposed) return;
    events.setLive('reconnecting');
    const delay = Math.min(30_000, 1_000 * 2 ** attempt);
    attempt += 1;
    timer = setTimeout(() => {
      void connect().then(() => {
        // Candles that changed while the socket was down.
        if (history) void loadLatest();
      });
    }, delay);
  }

  function onMessage(event: MessageEvent) {
    const message = readMessage(String(event.data), symbol, interval);
    if (message?.kind === 'subscribed') {
      attempt = 0;
      events.setLive('live');
    } else if (message?.kind === 'candle') apply(message.candle);
  }

  async function connect() {
    try {
      await options.checkSession();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        events.setPhase({ kind: 'error', message: error.message });
        return;
      }
      reconnect();
      return;
    }
    if (disposed) return;
    const ws = openSocket(options.wsPath, symbol, interval);
    socket = ws;
    ws.onmessage = onMessage;
    ws.onclose = () => {
      if (socket === ws) reconnect();
    };
  }

  void connect();
  void loadLatest();
  return () => {
    disposed = true;
    clearTimeout(timer);
    const open = socket;
    socket = null;
    open?.close(1000, 'selection changed');
  };
}
