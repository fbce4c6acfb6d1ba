import { Badge, Text } from '@mantine/core';
import type { Candle } from '../../lib/markets/candles.ts';
import type { Live, Phase } from './candle-stream.ts';
import type { Older } from './use-candle-stream.ts';

// The live badge and the status line (aria-live): how many candles are drawn, the last close, older pages.
// The browser test reads both.

const price = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 8 });

const LIVE_BADGE: Record<Live, { color: string; label: string }> = {
  live: { color: 'green', label: 'Live' },
  connecting: { color: 'gray', label: 'Connecting…' },
  reconnecting: { color: 'orange', label: 'Reconnecting…' },
};

export function LiveBadge(props: { live: Live }) {
  const badge = LIVE_BADGE[props.live];
  return (
    <Badge color={badge.color} variant="light" size="lg" data-testid="markets-live" data-live={props.live}>
      {badge.label}
    </Badge>
  );
}

function olderText(older: Older): string {
  if (older.kind === 'loading') return ' · loading older candles…';
  if (older.kind === 'done') return ' · all history loaded';
  if (older.kind === 'error') return ` · older candles could not be loaded: ${older.message}`;
  return '';
}

function statusText(phase: Phase, candles: Candle[], older: Older): string {
  if (phase.kind === 'loading') return 'Loading candles…';
  if (phase.kind === 'error') return 'Candles could not be loaded.';
  const last = candles.at(-1);
  return `${candles.length} candles${last ? ` · last close ${price(last.close)}` : ''}${olderText(older)}`;
}

export function MarketsStatus(props: { phase: Phase; candles: Candle[]; older: Older }) {
  const last = props.candles.at(-1);
  return (
    <Text
      size="sm"
      aria-live="polite"
      role="status"
      data-testid="markets-status"
      data-candles={props.phase.kind === 'ready' ? props.candles.length : undefined}
      data-last-close={last ? String(last.close) : undefined}
      data-older={props.older.kind}
    >
      {statusText(props.phase, props.candles, props.older)}
    </Text>
  );
}
