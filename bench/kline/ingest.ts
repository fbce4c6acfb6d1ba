// Benchmark: trades ingested per second, per dialect, durable (each call answers after its COMMIT).
//
//   bash bench/kline/run.sh ingest          (starts a PostgreSQL with fsync on, then runs this)
//   node bench/kline/ingest.ts [--seconds 10] [--connections 4] [--batch 5000] [--symbols 8] [--dialects sqlite,postgres]
//
// Two paths per dialect, measured one after the other in the same run:
//   - in-process: validation + aggregation into all 16 intervals + the group-committed transaction (trades
//     and candles written), which is what "ingest into the aggregator with durable batched writes" costs;
//   - HTTP: the same through POST /kline/api/v1/trades of the service started as a user starts it
//     (JSON over loopback, token checked, one access log line per call), load generator on the same cores.
// The target is ≥ 200,000 trades/s sustained.
import { parseArgs } from 'node:util';
import { createDatabase } from '@platform/db';
import type { KlineSchema } from '../../apps/kline-service/src/db/schema.ts';
import { Ingestor } from '../../apps/kline-service/src/ingest/ingestor.ts';
import { validateBatch } from '../../apps/kline-service/src/ingest/validate.ts';
import { type ResultRow, row, startRun, writeResults } from '../lib/results.ts';
import {
  dialectsFrom,
  fmt,
  freshDatabase,
  issuer,
  percentile,
  startService,
  TradeSource,
  token,
} from './lib.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    batch: { type: 'string', default: '5000' },
    symbols: { type: 'string', default: '8' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const batch = Number(values.batch);
const symbols = Number(values.symbols);
const TARGET = 200_000;

interface Outcome {
  trades: number;
  seconds: number;
  latencies: number[];
}

/** `connections` loops each sending batches for `seconds`; counts accepted trades. */
async function drive(
  send: (trades: object[]) => Promise<number>,
  source: TradeSource,
  duration: number,
): Promise<Outcome> {
  const deadline = performance.now() + duration * 1000;
  const latencies: number[] = [];
  let trades = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const items = source.next(batch);
        const t = performance.now();
        // Not `trades += await …`: that reads `trades` before the await and loses the other loops' counts.
        const accepted = await send(items);
        trades += accepted;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return {
    trades,
    seconds: (performance.now() - started) / 1000,
    latencies: latencies.sort((a, b) => a - b),
  };
}

async function inProcess(dialect: 'sqlite' | 'postgres'): Promise<Outcome> {
  const temp = await freshDatabase(dialect);
  const database = createDatabase<KlineSchema>(temp.url, { poolMax: 2 });
  const ingestor = new Ingestor({ database });
  await ingestor.start();
  const source = new TradeSource({ symbols, start: Date.now() - 86_400_000, perSecond: 1000 });
  const send = async (items: object[]) => {
    const result = validateBatch({ trades: items }, Date.now());
    if (!result.ok) throw new Error(result.message);
    return (await ingestor.submit(result.trades)).accepted;
  };
  await drive(send, source, 2); // warm-up: JIT, caches
  const outcome = await drive(send, source, seconds);
  await database.close();
  await temp.drop();
  return outcome;
}

async function overHttp(dialect: 'sqlite' | 'postgres'): Promise<Outcome> {
  const temp = await freshDatabase(dialect);
  const iss = await issuer();
  const service = await startService(temp.url, iss);
  const authorization = `Bearer ${await token(iss, 'kline:write')}`;
  const source = new TradeSource({ symbols, start: Date.now() - 86_400_000, perSecond: 1000 });
  const send = async (items: object[]) => {
    const response = await fetch(`${service.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ trades: items }),
    });
    if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { accepted: number }).accepted;
  };
  await drive(send, source, 2);
  const outcome = await drive(send, source, seconds);
  await service.stop();
  await iss.close();
  await temp.drop();
  return outcome;
}

const start = startRun();
const rows: string[] = [];
const resultRows: ResultRow[] = [];
for (const dialect of dialectsFrom(values.dialects!)) {
  for (const [path, run] of [
    ['in-process (validate + aggregate + durable write)', inProcess],
    ['HTTP POST /kline/api/v1/trades (end to end)', overHttp],
  ] as const) {
    const outcome = await run(dialect);
    const rate = outcome.trades / outcome.seconds;
    rows.push(
      `| ${dialect} | ${path} | ${fmt(rate)} | ${fmt(TARGET)} | ${(rate / TARGET).toFixed(2)}× | ${fmt(percentile(outcome.latencies, 50), 1)} | ${fmt(percentile(outcome.latencies, 99), 1)} |`,
    );
    resultRows.push(
      row(`${dialect}: ${path}`, 'trades/s', rate, { name: 'target', value: TARGET }),
      row(`${dialect}: ${path}, batch p99`, 'ms', percentile(outcome.latencies, 99), undefined, 'lower'),
    );
    console.error(`done: ${dialect} ${path}`);
  }
}

console.log(
  `\nkline ingest, durable (answers after COMMIT): ${connections} concurrent callers × ${batch}-trade batches, ${symbols} symbols, ${seconds} s after 2 s warm-up (Node ${process.versions.node})\n`,
);
console.log('| dialect | path | trades/s | target | ours / target | batch p50 ms | batch p99 ms |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log(
  `\nreproduce: bash bench/kline/run.sh ingest --seconds ${seconds} --connections ${connections} --batch ${batch} --symbols ${symbols}`,
);
writeResults({
  benchmark: 'kline-ingest',
  title: 'kline-service ingest, durable',
  description:
    'Trades ingested per second, per dialect, each call answered after its COMMIT, against the target of ' +
    '200,000 trades/s sustained. In-process: validation, aggregation into all 16 intervals and the ' +
    'group-committed transaction (trades and candles written). HTTP: the same through ' +
    '`POST /kline/api/v1/trades` of the service started as a user starts it (JSON over loopback, token ' +
    'checked, one access log line per call), with the load generator on the same cores. PostgreSQL runs in a ' +
    'benchmark cluster of its own with `fsync` and `synchronous_commit` on; SQLite as shipped (WAL, ' +
    '`synchronous=NORMAL`).',
  command: `bash bench/kline/run.sh ingest --seconds ${seconds} --connections ${connections} --batch ${batch} --symbols ${symbols}`,
  ...start,
  parameters: { connections, batch, symbols, seconds, warmupSeconds: 2, dialects: values.dialects! },
  rows: resultRows,
  notes: [],
});
