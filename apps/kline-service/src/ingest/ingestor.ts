// Group commit: every ingest call waits for the transaction that carries its trades. While one transaction
// is in flight, new calls queue up and go together into the next one, so the database sees few large
// transactions under load and a lone call still commits at once. A call resolves only after COMMIT, so an
// acknowledged trade survives a crash; a failed transaction fails every call in it and applies nothing.
//
// The candle state is computed here (exact BigInt arithmetic), not in SQL: SQLite has no exact decimal
// type. Candles are read from the database when first touched and kept in a bounded cache of committed
// state. That makes this process the single writer of its database: run one ingesting instance per
// database (readers can be many).
import { HttpError } from '@platform/http';
import {
  type KlineDatabase,
  loadCandles,
  loadSymbols,
  type SymbolState,
  storeNewTrades,
  tradeKey,
  upsertCandles,
  upsertSymbols,
} from '../db/store.ts';
import { aggregate, touchedKeys } from '../market/aggregate.ts';
import { type Candle, perSecondPartials, type Trade } from '../market/candle.ts';

export interface IngestResult {
  /** Trades stored by this call. */
  accepted: number;
  /** Trades whose (symbol, id) was already stored (or sent earlier in the same group): ignored. */
  duplicates: number;
}

export interface IngestorOptions {
  database: KlineDatabase;
  /** After each commit, with the new state of every candle it changed. */
  onCommit?: (candles: Candle[]) => void;
  /** Committed candles kept in memory (LRU); misses are read from the database. */
  cacheSize?: number;
  /** Largest number of trades one transaction takes from the queue. */
  maxGroupTrades?: number;
  log?: { error(object: unknown, message: string): void };
}

interface Pending {
  trades: Trade[];
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

export interface IngestStats {
  transactions: number;
  trades: number;
  duplicates: number;
}

export class Ingestor {
  readonly #database: KlineDatabase;
  readonly #onCommit: (candles: Candle[]) => void;
  readonly #cacheSize: number;
  readonly #maxGroupTrades: number;
  readonly #log: IngestorOptions['log'];
  readonly #cache = new Map<string, Candle>();
  readonly #symbols = new Map<string, SymbolState>();
  #queue: Pending[] = [];
  #running: Promise<void> | null = null;
  #stats: IngestStats = { transactions: 0, trades: 0, duplicates: 0 };

  constructor(options: IngestorOptions) {
    this.#database = options.database;
    this.#onCommit = options.onCommit ?? (() => {});
    this.#cacheSize = options.cacheSize ?? 50_000;
    this.#maxGroupTrades = options.maxGroupTrades ?? 50_000;
    if (!Number.isInteger(this.#cacheSize) || this.#cacheSize < 0)
      throw new TypeError('Ingestor: cacheSize must be a non-negative integer');
    if (!Number.isInteger(this.#maxGroupTrades) || this.#maxGroupTrades < 1)
      throw new TypeError('Ingestor: maxGroupTrades must be a positive integer');
    this.#log = options.log;
  }

  /** Loads the symbol list; call once before submitting. */
  async start(): Promise<void> {
    for (const state of await loadSymbols(this.#database.db)) this.#symbols.set(state.symbol, state);
  }

  /** Known symbols (those with at least one stored trade), sorted. */
  symbols(): SymbolState[] {
    return [...this.#symbols.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  hasSymbol(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  stats(): IngestStats {
    return { ...this.#stats };
  }

  /** Resolves once the trades are committed (or were already stored). */
  submit(trades: Trade[]): Promise<IngestResult> {
    return new Promise<IngestResult>((resolve, reject) => {
      this.#queue.push({ trades, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Waits until everything queued so far is committed or failed. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group: Pending[] = [];
        let size = 0;
        while (
          this.#queue.length > 0 &&
          (group.length === 0 || size + this.#queue[0]!.trades.length <= this.#maxGroupTrades)
        ) {
          const next = this.#queue.shift()!;
          group.push(next);
          size += next.trades.length;
        }
        try {
          await this.#commitGroup(group);
        } catch (error) {
          // A bug past the transaction (it committed or rolled back already): answer the calls rather than
          // leave them hanging; the state in memory is re-read from the database as candles are touched.
          this.#log?.error({ err: error }, 'ingest group failed after its transaction');
          this.#cache.clear();
          for (const pending of group) pending.reject(error);
        }
      }
    } finally {
      this.#running = null;
    }
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    // One row per (symbol, id) across the group; the first call that carries an id is the one that stores it.
    const unique = new Map<string, Trade>();
    const owners: string[][] = group.map((pending) => {
      const mine: string[] = [];
      for (const trade of pending.trades) {
        const key = tradeKey(trade.symbol, trade.id);
        if (!unique.has(key)) {
          unique.set(key, trade);
          mine.push(key);
        }
      }
      return mine;
    });

    let inserted: Set<string>;
    let changed: Map<string, Candle>;
    let loaded: Map<string, Candle>;
    let symbolUpdates: SymbolState[];
    try {
      ({ inserted, changed, loaded, symbolUpdates } = await this.#database.db
        .transaction()
        .execute(async (trx) => {
          const inserted = await storeNewTrades(trx, this.#database.dialect, [...unique.values()]);
          const fresh: Trade[] = [];
          for (const [key, trade] of unique) if (inserted.has(key)) fresh.push(trade);
          const seconds = perSecondPartials(fresh);
          const missing: string[] = [];
          for (const key of touchedKeys(seconds)) if (!this.#cache.has(key)) missing.push(key);
          const loaded = missing.length > 0 ? await loadCandles(trx, missing) : new Map<string, Candle>();
          const changed = aggregate(seconds, (key) => this.#cache.get(key) ?? loaded.get(key));
          if (changed.size > 0) await upsertCandles(trx, [...changed.values()]);
          const symbolUpdates = this.#symbolUpdates(fresh);
          await upsertSymbols(trx, symbolUpdates);
          return { inserted, changed, loaded, symbolUpdates };
        }));
    } catch (error) {
      this.#log?.error({ err: error }, 'ingest transaction failed; its trades were not applied');
      const failure = new HttpError({
        status: 503,
        code: 'storage_unavailable',
        detail:
          'The trades could not be stored and none of this batch was applied; retry (ingest is idempotent).',
        headers: { 'retry-after': '1' },
        cause: error,
      });
      for (const pending of group) pending.reject(failure);
      return;
    }

    // Committed: only now does the in-memory state move forward.
    for (const [key, candle] of loaded) this.#remember(key, candle);
    for (const [key, candle] of changed) this.#remember(key, candle);
    for (const state of symbolUpdates) this.#symbols.set(state.symbol, state);
    this.#stats.transactions += 1;
    this.#stats.trades += inserted.size;

    group.forEach((pending, i) => {
      let accepted = 0;
      for (const key of owners[i]!) if (inserted.has(key)) accepted += 1;
      const duplicates = pending.trades.length - accepted;
      this.#stats.duplicates += duplicates;
      pending.resolve({ accepted, duplicates });
    });
    if (changed.size > 0) {
      try {
        this.#onCommit([...changed.values()]);
      } catch (error) {
        this.#log?.error({ err: error }, 'publishing committed candles failed');
      }
    }
  }

  #symbolUpdates(trades: readonly Trade[]): SymbolState[] {
    const updates = new Map<string, SymbolState>();
    for (const trade of trades) {
      let state = updates.get(trade.symbol);
      if (!state) {
        const known = this.#symbols.get(trade.symbol);
        state = known
          ? { ...known }
          : {
              symbol: trade.symbol,
              firstTradeTime: trade.time,
              lastTradeTime: trade.time,
              lastTradeId: trade.id,
              lastPrice: trade.price,
              trades: 0,
            };
        updates.set(trade.symbol, state);
      }
      state.trades += 1;
      if (trade.time < state.firstTradeTime) state.firstTradeTime = trade.time;
      if (
        trade.time > state.lastTradeTime ||
        (trade.time === state.lastTradeTime && trade.id >= state.lastTradeId)
      ) {
        state.lastTradeTime = trade.time;
        state.lastTradeId = trade.id;
        state.lastPrice = trade.price;
      }
    }
    return [...updates.values()];
  }

  #remember(key: string, candle: Candle): void {
    if (this.#cacheSize === 0) return;
    this.#cache.delete(key);
    this.#cache.set(key, candle);
    if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
