// Five BTCUSDT trades around Sunday 2024-03-10 → Monday 2024-03-11 midnight UTC, one of them late (sent
// last, stamped first), and the candles they must produce in every interval, computed by hand:
//
//   id  time (UTC)                price   qty  taker   price × qty
//   1   2024-03-10 23:59:58.500   100.5   2    buy     201
//   2   2024-03-10 23:59:59.999   101     1.5  sell    151.5
//   3   2024-03-11 00:00:00.000   99.25   4    buy     397
//   4   2024-03-11 00:00:30.000   98      0.5  sell    49
//   5   2024-03-10 23:59:58.000   100     1    sell    100      ← late: arrives after 1–4
//
// Sunday side (5, 1, 2): open 100 (trade 5 is the earliest), high 101, low 100, close 101, volume 4.5,
// quote 452.5, 3 trades, taker buy 2 / 201. Monday side (3, 4): open 99.25, high 99.25, low 98, close 98,
// volume 4.5, quote 446, 2 trades, taker buy 4 / 397. Midnight of the 11th is a boundary of every
// interval except 3d (day 19,793 is not a multiple of 3; the 3d candle runs 9–11 March) and 1M.

export const SYMBOL = 'BTCUSDT';

export const ON_TIME = [
  {
    symbol: SYMBOL,
    id: 1,
    price: '100.5',
    qty: '2',
    time: Date.parse('2024-03-10T23:59:58.500Z'),
    takerSide: 'buy',
  },
  {
    symbol: SYMBOL,
    id: 2,
    price: '101',
    qty: '1.5',
    time: Date.parse('2024-03-10T23:59:59.999Z'),
    takerSide: 'sell',
  },
  {
    symbol: SYMBOL,
    id: 3,
    price: '99.25',
    qty: '4',
    time: Date.parse('2024-03-11T00:00:00.000Z'),
    takerSide: 'buy',
  },
  {
    symbol: SYMBOL,
    id: 4,
    price: '98',
    qty: '0.5',
    time: Date.parse('2024-03-11T00:00:30.000Z'),
    takerSide: 'sell',
  },
] as const;

export const LATE = [
  {
    symbol: SYMBOL,
    id: 5,
    price: '100',
    qty: '1',
    time: Date.parse('2024-03-10T23:59:58.000Z'),
    takerSide: 'sell',
  },
] as const;

type Values = [string, string, string, string, string, string, number, string, string];
// open, high, low, close, volume, quote volume, trades, taker buy base, taker buy quote
const SUNDAY: Values = [
  '100.00000000',
  '101.00000000',
  '100.00000000',
  '101.00000000',
  '4.50000000',
  '452.50000000',
  3,
  '2.00000000',
  '201.00000000',
];
const MONDAY: Values = [
  '99.25000000',
  '99.25000000',
  '98.00000000',
  '98.00000000',
  '4.50000000',
  '446.00000000',
  2,
  '4.00000000',
  '397.00000000',
];
const ALL: Values = [
  '100.00000000',
  '101.00000000',
  '98.00000000',
  '98.00000000',
  '9.00000000',
  '898.50000000',
  5,
  '6.00000000',
  '598.00000000',
];
// Per second: trades 5 + 1 at :58, trade 2 at :59, trade 3 at 00:00:00, trade 4 at 00:00:30.
const S58: Values = [
  '100.00000000',
  '100.50000000',
  '100.00000000',
  '100.50000000',
  '3.00000000',
  '301.00000000',
  2,
  '2.00000000',
  '201.00000000',
];
const S59: Values = [
  '101.00000000',
  '101.00000000',
  '101.00000000',
  '101.00000000',
  '1.50000000',
  '151.50000000',
  1,
  '0.00000000',
  '0.00000000',
];
const S00: Values = [
  '99.25000000',
  '99.25000000',
  '99.25000000',
  '99.25000000',
  '4.00000000',
  '397.00000000',
  1,
  '4.00000000',
  '397.00000000',
];
const S30: Values = [
  '98.00000000',
  '98.00000000',
  '98.00000000',
  '98.00000000',
  '0.50000000',
  '49.00000000',
  1,
  '0.00000000',
  '0.00000000',
];

const kline = (open: string, close: string, v: Values) => [
  Date.parse(open),
  v[0],
  v[1],
  v[2],
  v[3],
  v[4],
  Date.parse(close),
  v[5],
  v[6],
  v[7],
  v[8],
  '0',
];

const pair = (sundayOpen: string, mondayClose: string) => [
  kline(sundayOpen, '2024-03-10T23:59:59.999Z', SUNDAY),
  kline('2024-03-11T00:00:00.000Z', mondayClose, MONDAY),
];

/** Expected Binance kline arrays per interval, ascending; empty intervals (e.g. 1s at 00:00:01) absent. */
export const EXPECTED: Record<string, unknown[]> = {
  '1s': [
    kline('2024-03-10T23:59:58.000Z', '2024-03-10T23:59:58.999Z', S58),
    kline('2024-03-10T23:59:59.000Z', '2024-03-10T23:59:59.999Z', S59),
    kline('2024-03-11T00:00:00.000Z', '2024-03-11T00:00:00.999Z', S00),
    kline('2024-03-11T00:00:30.000Z', '2024-03-11T00:00:30.999Z', S30),
  ],
  '1m': pair('2024-03-10T23:59:00.000Z', '2024-03-11T00:00:59.999Z'),
  '3m': pair('2024-03-10T23:57:00.000Z', '2024-03-11T00:02:59.999Z'),
  '5m': pair('2024-03-10T23:55:00.000Z', '2024-03-11T00:04:59.999Z'),
  '15m': pair('2024-03-10T23:45:00.000Z', '2024-03-11T00:14:59.999Z'),
  '30m': pair('2024-03-10T23:30:00.000Z', '2024-03-11T00:29:59.999Z'),
  '1h': pair('2024-03-10T23:00:00.000Z', '2024-03-11T00:59:59.999Z'),
  '2h': pair('2024-03-10T22:00:00.000Z', '2024-03-11T01:59:59.999Z'),
  '4h': pair('2024-03-10T20:00:00.000Z', '2024-03-11T03:59:59.999Z'),
  '6h': pair('2024-03-10T18:00:00.000Z', '2024-03-11T05:59:59.999Z'),
  '8h': pair('2024-03-10T16:00:00.000Z', '2024-03-11T07:59:59.999Z'),
  '12h': pair('2024-03-10T12:00:00.000Z', '2024-03-11T11:59:59.999Z'),
  '1d': pair('2024-03-10T00:00:00.000Z', '2024-03-11T23:59:59.999Z'),
  '3d': [kline('2024-03-09T00:00:00.000Z', '2024-03-11T23:59:59.999Z', ALL)],
  // Monday 4 March – Sunday 10 March, then the week from Monday 11 March.
  '1w': pair('2024-03-04T00:00:00.000Z', '2024-03-17T23:59:59.999Z'),
  '1M': [kline('2024-03-01T00:00:00.000Z', '2024-03-31T23:59:59.999Z', ALL)],
};
