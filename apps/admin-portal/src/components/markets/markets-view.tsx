'use client';

import { Alert, Badge, Button, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../lib/api/problem.ts';
import {
  applyLiveCandle,
  type Candle,
  klineEventFrom,
  mergeCandles,
  olderPageEnd,
  streamName,
} from '../../lib/markets/candles.ts';
import {
  createKlineApi,
  createSessionCheck,
  PAGE_SIZE,
  type SymbolInfo,
} from '../../lib/markets/kline-client.ts';

// The Markets page in the browser: symbol and interval pickers (from kline-service's symbols endpoint), the
// latest page of candles over REST, live candles over the WebSocket (subscribed before the history request
// so nothing falls between the two; events that arrive first are applied on top of the history), older pages
// when the chart is scrolled to its left edge, and a reconnect with a fresh token when the socket closes
// (kline-service closes it when the token expires; the relay passes that on). The status line (aria-live) says how many candles are
// drawn; the browser test reads it.

// Canvas drawing needs the browser: never rendered on the server.
const CandleChart = dynamic(() => import('./candle-chart.tsx').then((m) => m.CandleChart), {
  ssr: false,
  loading: () => <Loader size="sm" aria-label="Loading the chart" />,
});

type Phase = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };
type Live = 'connecting' | 'live' | 'reconnecting';
type Older = { kind: 'idle' } | { kind: 'loading' } | { kind: 'done' } | { kind: 'error'; message: string };

const message = (error: unknown) => (error instanceof Error ? error.message : 'Something went wrong.');
const price = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 8 });
/** Retry a refused older page no sooner than this (the chart asks on every scroll step). */
const OLDER_RETRY_MS = 5_000;

export function MarketsView(props: {
  klineUrl: string;
  /** The portal's WebSocket relay path, e.g. /admin/markets/ws (same origin). */
  wsPath: string;
  sessionUrl: string;
  initialSymbol?: string;
  initialInterval?: string;
}) {
  const checkSession = useMemo(() => createSessionCheck(props.sessionUrl), [props.sessionUrl]);
  const api = useMemo(() => createKlineApi(props.klineUrl), [props.klineUrl]);

  const [market, setMarket] = useState<
    | { kind: 'loading' }
    | { kind: 'error'; message: string }
    | { kind: 'ready'; symbols: SymbolInfo[]; intervals: string[] }
  >({ kind: 'loading' });
  const [symbol, setSymbol] = useState<string | null>(null);
  const [interval, setInterval] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [candles, setCandles] = useState<Candle[]>([]);
  const [live, setLive] = useState<Live>('connecting');
  const [older, setOlder] = useState<Older>({ kind: 'idle' });
  const candlesRef = useRef<Candle[]>([]);
  candlesRef.current = candles;
  const olderRef = useRef({ loading: false, hasMore: false, retryAt: 0, selection: '' });

  // The symbols and intervals.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` is the "Try again" button: it re-runs this.
  useEffect(() => {
    let cancelled = false;
    setMarket({ kind: 'loading' });
    api.symbols().then(
      ({ symbols, intervals }) => {
        if (cancelled) return;
        setMarket({ kind: 'ready', symbols, intervals });
        setSymbol((current) => {
          const names = symbols.map((s) => s.symbol);
          if (current && names.includes(current)) return current;
          if (props.initialSymbol && names.includes(props.initialSymbol)) return props.initialSymbol;
          return names[0] ?? null;
        });
        setInterval((current) => {
          if (current && intervals.includes(current)) return current;
          if (props.initialInterval && intervals.includes(props.initialInterval))
            return props.initialInterval;
          return intervals.includes('1m') ? '1m' : (intervals[0] ?? null);
        });
      },
      (error: unknown) => !cancelled && setMarket({ kind: 'error', message: message(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, reload, props.initialSymbol, props.initialInterval]);

  // The selection in the address bar, so a reload or a shared link shows the same market.
  useEffect(() => {
    if (!symbol || !interval) return;
    const url = new URL(window.location.href);
    url.searchParams.set('symbol', symbol);
    url.searchParams.set('interval', interval);
    window.history.replaceState(window.history.state, '', url);
  }, [symbol, interval]);

  // History and the live stream of the selected market.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` is the "Try again" button: it re-runs this.
  useEffect(() => {
    if (!symbol || !interval) return;
    const selection = `${symbol}@${interval}`;
    let disposed = false;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let history = false;
    const early: Candle[] = [];
    setPhase({ kind: 'loading' });
    setCandles([]);
    setOlder({ kind: 'idle' });
    setLive('connecting');
    olderRef.current = { loading: false, hasMore: false, retryAt: 0, selection };

    const apply = (candle: Candle) => {
      if (!history) early.push(candle);
      else setCandles((series) => applyLiveCandle(series, candle).series);
    };

    const loadLatest = async () => {
      try {
        const page = await api.klines(symbol, interval);
        if (disposed) return;
        setCandles((series) => {
          // First load: the page plus what arrived live meanwhile; after a reconnect: merged with what is shown.
          let merged = history ? mergeCandles(series, page) : page;
          for (const candle of early.splice(0)) merged = applyLiveCandle(merged, candle).series;
          return merged;
        });
        if (!history) olderRef.current.hasMore = page.length === PAGE_SIZE;
        history = true;
        setPhase({ kind: 'ready' });
      } catch (error) {
        if (!disposed && !history) setPhase({ kind: 'error', message: message(error) });
      }
    };

    const reconnect = () => {
      if (disposed) return;
      setLive('reconnecting');
      const delay = Math.min(30_000, 1_000 * 2 ** attempt);
      attempt += 1;
      timer = setTimeout(() => {
        void connect().then(() => {
          // Candles that changed while the socket was down.
          if (history) void loadLatest();
        });
      }, delay);
    };

    async function connect() {
      try {
        await checkSession();
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setPhase({ kind: 'error', message: error.message });
          return;
        }
        reconnect();
        return;
      }
      if (disposed) return;
      const origin = window.location.origin.replace(/^http/, 'ws');
      const ws = new WebSocket(`${origin}${props.wsPath}`);
      socket = ws;
      ws.onopen = () => {
        ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: [streamName(symbol!, interval!)], id: 1 }));
      };
      ws.onmessage = (event) => {
        let data: unknown;
        try {
          data = JSON.parse(String(event.data));
        } catch {
          return;
        }
        const reply = data as { id?: unknown; result?: unknown };
        if (reply.id === 1 && reply.result === null) {
          attempt = 0;
          setLive('live');
          return;
        }
        try {
          const kline = klineEventFrom(data);
          if (kline && kline.symbol === symbol && kline.interval === interval) apply(kline.candle);
        } catch {
          // A malformed event is not drawn.
        }
      };
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
  }, [api, checkSession, props.wsPath, symbol, interval, reload]);

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
        setOlder({ kind: 'error', message: message(error) });
      },
    );
  }, [api, symbol, interval]);

  if (market.kind === 'loading') {
    return (
      <Group gap="sm" role="status">
        <Loader size="sm" />
        <Text>Loading markets…</Text>
      </Group>
    );
  }
  if (market.kind === 'error') {
    return (
      <Alert color="red" title="Markets could not be loaded" role="alert">
        <Stack gap="xs">
          <Text size="sm">{market.message}</Text>
          <Button size="xs" variant="default" w="fit-content" onClick={() => setReload((n) => n + 1)}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }
  if (market.symbols.length === 0) {
    return (
      <Alert color="blue" title="No market data yet" data-testid="markets-empty">
        <Stack gap="xs">
          <Text size="sm">
            kline-service has no trades. Ingest some (POST /kline/api/v1/trades) or start the market simulator
            (KLINE_SIMULATOR=true).
          </Text>
          <Button size="xs" variant="default" w="fit-content" onClick={() => setReload((n) => n + 1)}>
            Check again
          </Button>
        </Stack>
      </Alert>
    );
  }

  const last = candles.at(-1);
  const liveBadge =
    live === 'live'
      ? { color: 'green', label: 'Live' }
      : live === 'connecting'
        ? { color: 'gray', label: 'Connecting…' }
        : { color: 'orange', label: 'Reconnecting…' };
  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          label="Symbol"
          data={market.symbols.map((s) => s.symbol)}
          value={symbol}
          onChange={(value) => value && setSymbol(value)}
          searchable
          allowDeselect={false}
          w={{ base: '100%', xs: 200 }}
        />
        <Select
          label="Interval"
          data={market.intervals}
          value={interval}
          onChange={(value) => value && setInterval(value)}
          allowDeselect={false}
          w={{ base: '100%', xs: 120 }}
        />
        <Badge color={liveBadge.color} variant="light" size="lg" data-testid="markets-live" data-live={live}>
          {liveBadge.label}
        </Badge>
      </Group>
      <Text
        size="sm"
        aria-live="polite"
        role="status"
        data-testid="markets-status"
        data-candles={phase.kind === 'ready' ? candles.length : undefined}
        data-last-close={last ? String(last.close) : undefined}
        data-older={older.kind}
      >
        {phase.kind === 'loading'
          ? 'Loading candles…'
          : phase.kind === 'error'
            ? 'Candles could not be loaded.'
            : `${candles.length} candles${last ? ` · last close ${price(last.close)}` : ''}${
                older.kind === 'loading'
                  ? ' · loading older candles…'
                  : older.kind === 'done'
                    ? ' · all history loaded'
                    : older.kind === 'error'
                      ? ` · older candles could not be loaded: ${older.message}`
                      : ''
              }`}
      </Text>
      {phase.kind === 'error' ? (
        <Alert color="red" title="Candles could not be loaded" role="alert">
          <Stack gap="xs">
            <Text size="sm">{phase.message}</Text>
            <Button size="xs" variant="default" w="fit-content" onClick={() => setReload((n) => n + 1)}>
              Try again
            </Button>
          </Stack>
        </Alert>
      ) : null}
      {phase.kind === 'ready' && candles.length === 0 ? (
        <Alert color="blue" title="No candles" data-testid="markets-no-candles">
          No trades for {symbol} yet; candles appear here as trades arrive.
        </Alert>
      ) : null}
      <Paper withBorder p={4} style={{ display: phase.kind === 'error' ? 'none' : undefined }}>
        <CandleChart
          candles={candles}
          selection={`${symbol}@${interval}`}
          secondsVisible={interval === '1s'}
          onNeedOlder={loadOlder}
        />
      </Paper>
    </Stack>
  );
}
