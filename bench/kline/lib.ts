// What the kline benchmarks share: a fresh database per dialect, the service started as a user starts it,
// tokens, trade generation and percentiles.
import { join } from 'node:path';
import { createDatabase, migrateToLatest } from '@platform/db';
import {
  createTempDatabase,
  createTestIssuer,
  spawnService,
  type TempDatabase,
  type TestIssuer,
} from '@platform/testing';
import { migrations } from '../../apps/kline-service/src/db/migrations.ts';
import { components } from '../../scripts/components.ts';

export const ROOT = join(import.meta.dirname, '../..');
export const AUDIENCE = 'http://localhost:8080/kline';
export type Dialect = 'sqlite' | 'postgres';

export function dialectsFrom(value: string): Dialect[] {
  const list = value.split(',').map((d) => d.trim());
  for (const d of list) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`unknown dialect ${d}`);
  return list as Dialect[];
}

/** A fresh, migrated database of the dialect (PostgreSQL needs TEST_POSTGRES_URL; bench/kline/run.sh sets it). */
export async function freshDatabase(dialect: Dialect): Promise<TempDatabase> {
  const temp = await createTempDatabase(dialect);
  const database = createDatabase(temp.url);
  await migrateToLatest(database, migrations);
  await database.close();
  return temp;
}

export async function issuer(): Promise<TestIssuer> {
  return createTestIssuer();
}

export async function token(iss: TestIssuer, scope: string): Promise<string> {
  return iss.mint({ aud: AUDIENCE, client_id: 'bench', scope, expiresIn: 3600 });
}

/** kline-service as shipped (info logging, its Node flags from scripts/components.ts), on the given database. */
export function startService(databaseUrl: string, iss: TestIssuer, env: Record<string, string> = {}) {
  const component = components.find((c) => c.name === 'kline-service')!;
  return spawnService({
    cwd: join(ROOT, component.dir),
    entry: component.entry,
    ...(component.nodeFlags ? { nodeFlags: component.nodeFlags } : {}),
    env: {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      OAUTH_ISSUER: iss.issuer,
      OAUTH_JWKS_URL: iss.jwksUri,
      TOKEN_AUDIENCE: AUDIENCE,
      LOG_LEVEL: 'info',
      ...env,
    },
    readyPath: '/ready',
    timeoutMs: 60_000,
  });
}

/** Trades of `symbols` symbols, market time moving `perSecond` trades per symbol per second from `start`. */
export class TradeSource {
  #seq = 0;
  readonly #symbols: string[];
  readonly #start: number;
  readonly #perSecond: number;
  constructor(options: { symbols: number; start: number; perSecond: number; prefix?: string }) {
    this.#symbols = Array.from({ length: options.symbols }, (_, i) => `${options.prefix ?? 'BENCH'}${i}`);
    this.#start = options.start;
    this.#perSecond = options.perSecond;
  }

  /** The next `count` trades as ingest JSON objects. */
  next(count: number) {
    const trades = new Array(count);
    for (let i = 0; i < count; i += 1) {
      const seq = this.#seq++;
      const symbolIndex = seq % this.#symbols.length;
      const id = Math.floor(seq / this.#symbols.length);
      trades[i] = {
        symbol: this.#symbols[symbolIndex],
        id,
        price: `${1000 + (id % 500)}.${String(id % 100).padStart(2, '0')}`,
        qty: `0.${String(1 + (id % 9999)).padStart(4, '0')}`,
        time: this.#start + Math.floor((id * 1000) / this.#perSecond),
        takerSide: id % 2 ? 'buy' : 'sell',
      };
    }
    return trades;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
