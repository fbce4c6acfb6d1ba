// Benchmark: trade → WebSocket update latency with 100 subscribed clients, p99 against the target
// (≤ 100 ms).
//
//   bash bench/kline/run.sh ws
//   node bench/kline/ws-latency.ts [--clients 100] [--trades 200] [--gap 150] [--dialects sqlite,postgres]
//
// Every client subscribes to btcusdt@kline_1m. One trade at a time is posted (every `gap` ms, slower than
// the 10 updates/s coalescing, so each trade gets its own update); the latency of a (trade, client) pair is
// from just before the POST to that client receiving the kline event whose last trade id is the trade's.
// Clients and poster share this process and its clock. With faster trades, coalescing adds up to 100 ms
// by design (at most 10 updates per second per stream).
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { type ResultRow, row, startRun, writeResults } from '../lib/results.ts';
import { dialectsFrom, fmt, freshDatabase, issuer, percentile, startService, token } from './lib.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    trades: { type: 'string', default: '200' },
    gap: { type: 'string', default: '150' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
  },
});
const clientCount = Number(values.clients);
const tradeCount = Number(values.trades);
const gapMs = Number(values.gap);
const TARGET_P99_MS = 100;

const start = startRun();
const rows: string[] = [];
const resultRows: ResultRow[] = [];
for (const dialect of dialectsFrom(values.dialects!)) {
  const temp = await freshDatabase(dialect);
  const iss = await issuer();
  const service = await startService(temp.url, iss);
  const write = {
    authorization: `Bearer ${await token(iss, 'kline:write')}`,
    'content-type': 'application/json',
  };
  // One token per client, as real clients have: the service caps the sockets one token may hold open.
  const reads = await Promise.all(
    Array.from({ length: clientCount }, async () => `Bearer ${await token(iss, 'kline:read')}`),
  );
  let nextId = 1;
  const post = async () => {
    const id = nextId++;
    const response = await fetch(`${service.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: write,
      body: JSON.stringify({
        trades: [
          {
            symbol: 'BTCUSDT',
            id,
            price: `${60_000 + (id % 50)}.5`,
            qty: '0.01',
            time: Date.now(),
            takerSide: 'buy',
          },
        ],
      }),
    });
    if (!response.ok) throw new Error(`ingest answered ${response.status}`);
    return id;
  };
  await post(); // the symbol must exist before clients subscribe

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const sockets = await Promise.all(
    reads.map(async (read) => {
      const socket = new WebSocket(`${service.url.replace('http', 'ws')}/kline/ws`, {
        headers: { authorization: read },
      });
      const seen = new Set<number>();
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { e?: string; k?: { L: number } };
        if (message.e !== 'kline' || !message.k) return;
        const started = sentAt.get(message.k.L);
        if (started === undefined || seen.has(message.k.L)) return;
        seen.add(message.k.L);
        latencies.push(performance.now() - started);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => {
          socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@kline_1m'], id: 1 }));
          socket.once('message', () => resolve());
        });
        socket.once('error', reject);
      });
      return socket;
    }),
  );

  for (let i = 0; i < tradeCount; i += 1) {
    sentAt.set(nextId, performance.now());
    await post();
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const socket of sockets) socket.close();
  await service.stop();
  await iss.close();
  await temp.drop();

  latencies.sort((a, b) => a - b);
  const expected = tradeCount * clientCount;
  rows.push(
    `| ${dialect} | ${clientCount} | ${fmt(latencies.length)} / ${fmt(expected)} | ${fmt(percentile(latencies, 50), 1)} | ${fmt(percentile(latencies, 99), 1)} | ${fmt(latencies.at(-1) ?? Number.NaN, 1)} | ${TARGET_P99_MS} | ${(percentile(latencies, 99) / TARGET_P99_MS).toFixed(2)}× |`,
  );
  resultRows.push(
    row(
      `${dialect}: latency p99`,
      'ms',
      percentile(latencies, 99),
      { name: 'target', value: TARGET_P99_MS },
      'lower',
    ),
    row(`${dialect}: latency p50`, 'ms', percentile(latencies, 50), undefined, 'lower'),
    row(`${dialect}: latency max`, 'ms', latencies.at(-1) ?? null, undefined, 'lower'),
    row(`${dialect}: updates received`, 'updates', latencies.length, { name: 'expected', value: expected }),
  );
  if (latencies.length < expected) process.exitCode = 1;
}

console.log(
  `\ntrade → WebSocket update: ${tradeCount} trades, one every ${gapMs} ms, each awaited by every client (Node ${process.versions.node})\n`,
);
console.log(
  '| dialect | clients | updates received | p50 ms | p99 ms | max ms | target p99 ms | p99 / target |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log(
  `\nreproduce: bash bench/kline/run.sh ws --clients ${clientCount} --trades ${tradeCount} --gap ${gapMs}`,
);
writeResults({
  benchmark: 'kline-ws-latency',
  title: 'kline-service trade → WebSocket update latency',
  description:
    'With every client subscribed to `btcusdt@kline_1m`, one trade at a time is posted, slower than the ' +
    "10 updates/s coalescing so each trade gets its own update; a (trade, client) pair's latency runs from " +
    "just before the POST to that client receiving the kline event whose last trade id is the trade's. " +
    'Clients and poster share one process and its clock. p99 against the target of 100 ms.',
  command: `bash bench/kline/run.sh ws --clients ${clientCount} --trades ${tradeCount} --gap ${gapMs}`,
  ...start,
  parameters: { clients: clientCount, trades: tradeCount, gapMs, dialects: values.dialects! },
  rows: resultRows,
  notes: [],
});
