import { copyTextRow } from '@platform/db';
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../ingest/validate.ts';
import { TRADE_COLUMNS, tradeCopyLine, tradeRow } from './store.ts';

describe('tradeCopyLine', () => {
  it('writes the same COPY line as the generic encoder does for the trade’s row', () => {
    const result = validateBatch(
      {
        trades: [
          {
            symbol: 'BTCUSDT',
            id: 0,
            price: '0.00000001',
            qty: '999999999999999.99999999',
            time: 946_684_800_000,
            takerSide: 'buy',
          },
          {
            symbol: 'A1',
            id: Number.MAX_SAFE_INTEGER,
            price: '42',
            qty: '0.5',
            time: Date.parse('2024-01-01T00:00:00Z'),
            takerSide: 'sell',
          },
        ],
      },
      Date.now(),
    );
    if (!result.ok) throw new Error(result.message);
    for (const trade of result.trades) {
      const row = tradeRow(trade);
      expect(tradeCopyLine(trade)).toBe(copyTextRow(TRADE_COLUMNS.map((column) => row[column])));
    }
    expect(tradeCopyLine(result.trades[1]!)).toBe(
      `A1\t${Number.MAX_SAFE_INTEGER}\t42\t0.5\t1704067200000\tsell\n`,
    );
  });
});
