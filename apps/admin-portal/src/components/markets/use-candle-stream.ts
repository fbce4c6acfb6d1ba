import { useCallback, useEffect, useRef, useState } from 'react';
import { type Candle, mergeCandles, olderPageEnd } from '../../lib/markets/candles.ts';
import { type KlineApi, PAGE_SIZE } from '../../lib/markets/kline-client.ts';
import { errorMessage, type Live, type Phase, startCandleStream } from './candle-stream.ts';

// The selected market's candles as React state: the live stream with its latest page (candle-stream.ts),
// and older pages when the chart is scrolled to its left edge.

export type Older =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'done' }
  | { kind: 'error'; message: string };

/** Retry a refused older page no sooner than this (the chart asks on every scroll step). */
const OLDER_RETRY_MS = 5_000;

export function useCandleStream(options: {
  api: KlineApi;
  checkSession: () => Promise<void>;
  wsPath: string;
  symbol: string | null;
  interval: string | null;
  /** Bumped by "Try again": restarts the stream. */
  reload: number;
}) {
  const { api, checkSession, wsPath, symbol, interval, reload } = options;
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [candles, setCandles] = useState<Candle[]>([]);
  const [live, setLive] = useState<Live>('connecting');
  const [older, setOlder] = useState<Older>({ kind: 'idle' });
  const candlesRef = useRef<Candle[]>([]);
  candlesRef.current = candles;
  const olderRef = useRef({ loading: false, hasMore: false, retryAt: 0, selection: '' });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` is the "Try again" button: it re-runs this.
  useEffect(() => {
    if (!symbol || !interval) return;
    setPhase({ kind: 'loading' });
    setCandles([]);
    setOlder({ kind: 'idle' });
    setLive('connecting');
    olderRef.current = { loading: false, hasMore: false, retryAt: 0, selection: `${symbol}@${interval}` };
    return startCandleStream(
      { api, checkSession, wsPath, symbol, interval },
      {
        setPhase,
        setLive,
        updateCandles: setCandles,
        firstPage: (hasMore) => {
          olderRef.current.hasMore = hasMore;
        },
      },
    );
  }, [api, checkSession, wsPath, symbol, interval, reload]);

  const loadOlder = useCallback(() => {
    const state = olderRef.current;
    if (!symbol || !interval || state.loading || !state.hasMore || Date.now() < state.retryAt) return;
    const end = olderPageEnd(candlesRef.current);
    if (end === null) return;
    const selection = `${symbol}@${interval}`;
    state.loading = true;
    setOlder({ kind: 'loading' });
    api.klines(symbol, interval, end).then(
      (page) => {
        if (olderRef.current.selection !== selection) return;
        state.loading = false;
        state.hasMore = page.length === PAGE_SIZE;
        setCandles((series) => mergeCandles(series, page));
        setOlder(state.hasMore ? { kind: 'idle' } : { kind: 'done' });
      },
      (error: unknown) => {
        if (olderRef.current.selection !== selection) return;
        state.loading = false;
        state.retryAt = Date.now() + OLDER_RETRY_MS;
        setOlder({ kind: 'error', message: errorMessage(error) });
      },
    );
  }, [api, symbol, interval]);

  return { phase, candles, live, older, loadOlder };
}
