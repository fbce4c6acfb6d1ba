// Benchmark: GET /kline/api/v1/klines with limit=1000, p99 latency against the target (≤ 10 ms).
//
//   bash bench/kline/run.sh klines
//   node bench/kline/klines.ts [--seconds 10] [--connections 1] [--dialects sqlite,postgres]
//
// Each dialect's database gets 3,000 one-minute candles of one symbol (written through the ingest path),
// then autocannon asks for the latest 1,000 (the console's first chart load) on the service as shipped.
// One connection by default: the target is the latency of a request, not of a queue of them (with -c 4 on
// one event loop each request also waits for the three ahead of it).
import { parseArgs } from 'node:util';
import { createDatabase } from '@platform/db';
import autocannon from 'autocannon';
import type { KlineSchema } from '../../apps/kline-service/src/db/schema.ts';
import { Ingestor } from '../../apps/kline-service/src/ingest/ingestor.ts';
import { validateBatch } from '../../apps/kline-service/src/ingest/validate.ts';
import { type ResultRow, row, startRun, writeResults } from '../lib/results.ts';
import { dialectsFrom, fmt, freshDatabase, issuer, startService, token } from './lib.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const TARGET_P99_MS = 10;
const MINUTES = 3_000;

async function seed(url: string): Promise<void> {
  const database = createDatabase<KlineSchema>(url);
  const ingestor = new Ingestor({ database });
  await ingestor.start();
  const start = Math.floor((Date.now() - MINUTES * 60_000) / 60_000) * 60_000;
  const trades = [];
  for (let minute = 0; minute < MINUTES; minute += 1) {
    for (let i = 0; i < 3; i += 1) {
      const id = minute * 3 + i;
      trades.push({
        symbol: 'BTCUSDT',
        id,
        price: `${60_000 + ((id * 37) % 900)}.${String(id % 100).padStart(2, '0')}`,
        qty: '0.0125',
        time: start + minute * 60_000 + i * 10_000,
        takerSide: i % 2 ? 'buy' : 'sell',
      });
    }
  }
  for (let offset = 0; offset < trades.length; offset += 5_000) {
    const result = validateBatch({ trades: trades.slice(offset, offset + 5_000) }, Date.now());
    if (!result.ok) throw new Error(result.message);
    await ingestor.submit(result.trades);
  }
  await database.close();
}

const start = startRun();
const rows: string[] = [];
const resultRows: ResultRow[] = [];
const failures: string[] = [];
for (const dialect of dialectsFrom(values.dialects!)) {
  const temp = await freshDatabase(dialect);
  await seed(temp.url);
  const iss = await issuer();
  const service = await startService(temp.url, iss);
  const url = `${service.url}/kline/api/v1/klines?symbol=BTCUSDT&interval=1m&limit=1000`;
  const headers = { authorization: `Bearer ${await token(iss, 'kline:read')}` };
  const check = (await (await fetch(url, { headers })).json()) as unknown[];
  if (check.length !== 1000) throw new Error(`expected 1000 candles, got ${check.length}`);
  await autocannon({ url, connections, duration: 2, headers });
  const r = await autocannon({ url, connections, duration: seconds, headers });
  await service.stop();
  await iss.close();
  await temp.drop();
  const failed = r.errors + r.timeouts + r.non2xx;
  rows.push(
    `| ${dialect} | ${fmt(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${TARGET_P99_MS} | ${(r.latency.p99 / TARGET_P99_MS).toFixed(2)}× | ${failed} |`,
  );
  resultRows.push(
    row(`${dialect}: latency p99`, 'ms', r.latency.p99, { name: 'target', value: TARGET_P99_MS }, 'lower'),
    row(`${dialect}: latency p50`, 'ms', r.latency.p50, undefined, 'lower'),
    row(`${dialect}: throughput, one connection`, 'req/s', r.requests.average),
  );
  failures.push(`${dialect} ${failed}`);
  if (failed > 0) process.exitCode = 1;
}

console.log(
  `\nkline-service GET klines?interval=1m&limit=1000 (autocannon -c ${connections}, ${seconds} s after 2 s warm-up, ${MINUTES} candles stored, Node ${process.versions.node})\n`,
);
console.log('| dialect | req/s | p50 ms | p99 ms | target p99 ms | p99 / target | failed |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log(`\nreproduce: bash bench/kline/run.sh klines --seconds ${seconds} --connections ${connections}`);
writeResults({
  benchmark: 'kline-klines',
  title: 'kline-service klines read',
  description:
    "`GET /kline/api/v1/klines?symbol=BTCUSDT&interval=1m&limit=1000` (the console's first chart load) on " +
    'the service as shipped, with 3,000 one-minute candles stored (written through the ingest path), p99 ' +
    'latency against the target of 10 ms. One connection by default: the target is the latency of a ' +
    'request, not of a queue of them.',
  command: `bash bench/kline/run.sh klines --seconds ${seconds} --connections ${connections}`,
  ...start,
  parameters: { connections, seconds, warmupSeconds: 2, candles: MINUTES, dialects: values.dialects! },
  rows: resultRows,
  notes: [`Failed requests: ${failures.join(', ')}.`],
});
