'use client';

import { useComputedColorScheme } from '@mantine/core';
import {
  type CandlestickData,
  CandlestickSeries,
  createChart,
  type HistogramData,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { Candle } from '../../lib/markets/candles.ts';

// The candlestick chart with volume (TradingView lightweight-charts, drawn on canvas, browser only: the
// Markets page loads this file with next/dynamic and ssr: false). It follows the `candles` prop: a live
// change to the last candle or one new candle goes through series.update() (the view keeps its scroll
// position), anything else (a new selection, an older page prepended, a late candle inserted) through
// setData(), which keeps the right edge where it was. Scrolling near the left edge asks for older history.

/** Background, axis text and grid per colour scheme: the page's own background and text colours. */
const SCHEME_COLOURS = {
  light: { background: '#ffffff', text: '#343a40', grid: '#f1f3f5' },
  dark: { background: '#242424', text: '#c9c9c9', grid: '#2e2e2e' },
} as const;
type Scheme = keyof typeof SCHEME_COLOURS;

const schemeOptions = (scheme: Scheme) => {
  const colours = SCHEME_COLOURS[scheme];
  return {
    layout: { background: { color: colours.background }, textColor: colours.text },
    grid: { vertLines: { color: colours.grid }, horzLines: { color: colours.grid } },
  };
};

const UP = '#12b886';
const DOWN = '#fa5252';
/** Ask for the previous page when fewer than this many bars are left of the visible range. */
const LOAD_MORE_THRESHOLD = 10;
/** A series shorter than this is fitted to the width when shown (wider bars rather than empty space). */
const FIT_BELOW = 60;

const time = (candle: Candle) => Math.floor(candle.openTime / 1000) as UTCTimestamp;
const bar = (c: Candle): CandlestickData<UTCTimestamp> => ({
  time: time(c),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
});
const volumeBar = (c: Candle): HistogramData<UTCTimestamp> => ({
  time: time(c),
  value: c.volume,
  color: c.close >= c.open ? `${UP}80` : `${DOWN}80`,
});

/** Whether `next` is `previous` with only its last candle replaced or one candle appended. */
function isLiveStep(previous: readonly Candle[], next: readonly Candle[]): boolean {
  if (previous.length === 0 || next.length === 0) return false;
  if (next.length !== previous.length && next.length !== previous.length + 1) return false;
  // Candles are immutable values: everything before the previous last candle must be the same objects.
  const keep = previous.length - 1;
  return next[0] === previous[0] && (keep === 0 || next[keep - 1] === previous[keep - 1]);
}

interface ChartParts {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  volume: ISeriesApi<'Histogram'>;
}

interface Shown {
  candles: readonly Candle[];
  selection: string;
}

/** The chart with its candle and volume series, asking for older history near the left edge. */
function createCandleChart(container: HTMLElement, scheme: Scheme, needOlder: () => void): ChartParts {
  const chart = createChart(container, {
    autoSize: true,
    ...schemeOptions(scheme),
    rightPriceScale: { scaleMargins: { top: 0.1, bottom: 0.3 } },
    timeScale: { timeVisible: true, rightOffset: 3 },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderVisible: false,
    wickUpColor: UP,
    wickDownColor: DOWN,
  });
  const volume = chart.addSeries(HistogramSeries, {
    priceFormat: { type: 'volume' },
    priceScaleId: 'volume',
    lastValueVisible: false,
    priceLineVisible: false,
  });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.75, bottom: 0 } });
  chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
    if (range && range.from < LOAD_MORE_THRESHOLD) needOlder();
  });
  return { chart, candles, volume };
}

/** Draws `next` where `previous` is shown: a live step through update(), anything else through setData(). */
function drawCandles(parts: ChartParts, previous: Shown, next: Shown): void {
  const { candles, volume } = parts;
  if (previous.selection === next.selection && isLiveStep(previous.candles, next.candles)) {
    // The previous last candle first (its final state may have arrived in the same render as the next
    // candle), then the new last one: update() only ever touches the newest bar.
    const changed = next.candles
      .slice(previous.candles.length - 1)
      .filter((c, i) => c !== previous.candles[previous.candles.length - 1 + i]);
    for (const candle of changed) {
      candles.update(bar(candle));
      volume.update(volumeBar(candle));
    }
    return;
  }
  if (previous.candles === next.candles && previous.selection === next.selection) return;
  candles.setData(next.candles.map(bar));
  volume.setData(next.candles.map(volumeBar));
  // The first data of a selection starts at the newest candles with the default bar spacing (whatever
  // the previous selection was scrolled or zoomed to); a short series is spread over the whole width.
  const firstData =
    next.candles.length > 0 && (previous.selection !== next.selection || previous.candles.length === 0);
  if (firstData) {
    const timeScale = parts.chart.timeScale();
    timeScale.resetTimeScale();
    if (next.candles.length < FIT_BELOW) timeScale.fitContent();
  }
}

export function CandleChart(props: {
  candles: readonly Candle[];
  /** Changes when the symbol or interval does: the view is fitted again. */
  selection: string;
  secondsVisible: boolean;
  onNeedOlder: () => void;
}) {
  const container = useRef<HTMLElement>(null);
  const parts = useRef<ChartParts | null>(null);
  const shown = useRef<Shown>({ candles: [], selection: '' });
  const onNeedOlder = useRef(props.onNeedOlder);
  onNeedOlder.current = props.onNeedOlder;
  // This component is rendered in the browser only (ssr: false), so the computed scheme is known at once.
  const scheme = useComputedColorScheme('light');
  const initialScheme = useRef(scheme);

  useEffect(() => {
    if (!container.current) return;
    const created = createCandleChart(container.current, initialScheme.current, () => onNeedOlder.current());
    parts.current = created;
    return () => {
      created.chart.remove();
      parts.current = null;
      shown.current = { candles: [], selection: '' };
    };
  }, []);

  useEffect(() => {
    parts.current?.chart.applyOptions(schemeOptions(scheme));
  }, [scheme]);

  useEffect(() => {
    parts.current?.chart.applyOptions({ timeScale: { secondsVisible: props.secondsVisible } });
  }, [props.secondsVisible]);

  useEffect(() => {
    if (!parts.current) return;
    const next = { candles: props.candles, selection: props.selection };
    drawCandles(parts.current, shown.current, next);
    shown.current = next;
  }, [props.candles, props.selection]);

  return (
    // A figure, not role="img": the chart library puts interactive elements inside, which an img may not hold.
    <figure
      ref={container}
      data-testid="markets-chart"
      aria-label="Candlestick chart with volume"
      style={{ width: '100%', height: 'min(70vh, 520px)', minHeight: 320, margin: 0 }}
    />
  );
}
