import { useEffect, useState } from 'react';
import type { KlineApi, SymbolInfo } from '../../lib/markets/kline-client.ts';
import { errorMessage } from './candle-stream.ts';

// The symbols and intervals kline-service offers, and the selected pair: kept when still offered, else the
// one the address asked for, else the first symbol and 1m. The selection goes into the address bar, so a
// reload or a shared link shows the same market.

export type MarketList =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; symbols: SymbolInfo[]; intervals: string[] };

function pickSymbol(current: string | null, symbols: SymbolInfo[], initial?: string): string | null {
  const names = symbols.map((s) => s.symbol);
  if (current && names.includes(current)) return current;
  if (initial && names.includes(initial)) return initial;
  return names[0] ?? null;
}

function pickInterval(current: string | null, intervals: string[], initial?: string): string | null {
  if (current && intervals.includes(current)) return current;
  if (initial && intervals.includes(initial)) return initial;
  return intervals.includes('1m') ? '1m' : (intervals[0] ?? null);
}

export function useMarketList(options: {
  api: KlineApi;
  reload: number;
  initialSymbol?: string | undefined;
  initialInterval?: string | undefined;
}) {
  const { api, reload, initialSymbol, initialInterval } = options;
  const [market, setMarket] = useState<MarketList>({ kind: 'loading' });
  const [symbol, setSymbol] = useState<string | null>(null);
  const [interval, setInterval] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` is the "Try again" button: it re-runs this.
  useEffect(() => {
    let cancelled = false;
    setMarket({ kind: 'loading' });
    api.symbols().then(
      ({ symbols, intervals }) => {
        if (cancelled) return;
        setMarket({ kind: 'ready', symbols, intervals });
        setSymbol((current) => pickSymbol(current, symbols, initialSymbol));
        setInterval((current) => pickInterval(current, intervals, initialInterval));
      },
      (error: unknown) => !cancelled && setMarket({ kind: 'error', message: errorMessage(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, reload, initialSymbol, initialInterval]);

  useEffect(() => {
    if (!symbol || !interval) return;
    const url = new URL(window.location.href);
    url.searchParams.set('symbol', symbol);
    url.searchParams.set('interval', interval);
    window.history.replaceState(window.history.state, '', url);
  }, [symbol, interval]);

  return { market, symbol, setSymbol, interval, setInterval };
}
