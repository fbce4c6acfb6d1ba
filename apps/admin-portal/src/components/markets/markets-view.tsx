'use client';

import { Alert, Group, Loader, Paper, Select, Stack } from '@mantine/core';
import dynamic from 'next/dynamic';
import { useMemo, useState } from 'react';
import { createKlineApi, createSessionCheck } from '../../lib/markets/kline-client.ts';
import { MarketsLoading, NoMarketData, RetryAlert } from './market-notices.tsx';
import { LiveBadge, MarketsStatus } from './markets-status.tsx';
import { useCandleStream } from './use-candle-stream.ts';
import { useMarketList } from './use-market-list.ts';

// The Markets page in the browser: symbol and interval pickers (from kline-service's symbols endpoint,
// use-market-list.ts), the selected market's candles, latest page and live (use-candle-stream.ts), and the
// chart, which asks for older pages when scrolled to its left edge.

// Canvas drawing needs the browser: never rendered on the server.
const CandleChart = dynamic(() => import('./candle-chart.tsx').then((m) => m.CandleChart), {
  ssr: false,
  loading: () => <Loader size="sm" aria-label="Loading the chart" />,
});

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
  const [reload, setReload] = useState(0);
  const retry = () => setReload((n) => n + 1);
  const { market, symbol, setSymbol, interval, setInterval } = useMarketList({
    api,
    reload,
    initialSymbol: props.initialSymbol,
    initialInterval: props.initialInterval,
  });
  const { phase, candles, live, older, loadOlder } = useCandleStream({
    api,
    checkSession,
    wsPath: props.wsPath,
    symbol,
    interval,
    reload,
  });

  if (market.kind === 'loading') return <MarketsLoading />;
  if (market.kind === 'error')
    return <RetryAlert title="Markets could not be loaded" message={market.message} onRetry={retry} />;
  if (market.symbols.length === 0) return <NoMarketData onRetry={retry} />;

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
        <LiveBadge live={live} />
      </Group>
      <MarketsStatus phase={phase} candles={candles} older={older} />
      {phase.kind === 'error' ? (
        <RetryAlert title="Candles could not be loaded" message={phase.message} onRetry={retry} />
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
