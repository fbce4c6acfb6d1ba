// Group commit: every ingest call waits for the transaction that carries its trades. While a transaction is
// in flight, new calls queue up and go together into the next one, so the database sees few large
// transactions under load and a lone call still commits at once. A call resolves only after COMMIT, so an
// acknowledged trade survives a crash; a failed transaction fails every call in it and applies nothing.
//
// On PostgreSQL two groups are in flight at once, each in its own transaction on its own connection: while
// one writes its candles and commits, the next loads its trades (COPY, most of a group's database time).
// Each group's transaction has two stages:
//   1. load: store the new trades and sum them per second. One group loads at a time, in queue order, so two
//      loads never race for the same trade ids (a load that repeats ids of the group still in flight waits
//      in PostgreSQL for that group's outcome: a duplicate if it commits, new if it rolls back).
//   2. candles: waits until the group before has finished (committed or failed), then reads, aggregates and
//      writes candles from committed state only, writes the symbols, and commits. So candles and symbols
//      are written by one group at a time in queue order: a failed group leaves nothing behind in memory
//      for the next, and no two transactions lock candle rows in opposite orders.
// SQLite has one writer: a second transaction would only wait, so there one group is in flight.
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
  upsertCandles,
  upsertSymbols,
} from '../db/store.ts';
import { aggregate, touchedKeys } from '../market/aggregate.ts';
import { type Candle, perSecondPartials, type Trade } from '../market/candle.ts';
import { TradeKeyMap } from '../market/trade-keys.ts';

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
  /** Groups in flight at once (see above): 2 on PostgreSQL, 1 on SQLite unless set. */
  pipeline?: 1 | 2;
  log?: { error(object: unknown, message: string): void };
}

interface Pending {
  trades: Trade[];
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

/** A group's place in the pipeline (see the top of this file). */
interface Stages {
  /** Settles when the group before has finished: committed with its state in memory, or failed. */
  previous: Promise<void>;
  /** This group's trades are loaded: the next group may start loading. */
  loaded(): void;
  /** This group's outcome is final and in memory: the next group may write its candles. */
  finished(): void;
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
  readonly #pipeline: number;
  readonly #log: IngestorOptions['log'];
  readonly #cache = new Map<string, Candle>();
  readonly #symbols = new Map<string, SymbolState>();
  #queue: Pending[] = [];
  /** Groups started and not yet finished. */
  readonly #inFlight = new Set<Promise<void>>();
  /** Settles when the latest group started has finished: the next one writes its candles only after. */
  #latest: Promise<void> = Promise.resolve();
  /** A group is in its load stage: the next one starts loading only after it. */
  #loading = false;
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
    this.#pipeline = options.pipeline ?? (this.#database.dialect === 'postgres' ? 2 : 1);
    if (this.#pipeline !== 1 && this.#pipeline !== 2)
      throw new TypeError('Ingestor: pipeline must be 1 or 2');
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
      this.#startGroups();
    });
  }

  /** Waits until everything queued so far is committed or failed. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Starts the next group whenever none is loading and the pipeline has room. */
  #startGroups(): void {
    while (!this.#loading && this.#inFlight.size < this.#pipeline && this.#queue.length > 0) {
      const group = this.#takeGroup();
      this.#loading = true;
      let loaded = false;
      const onLoaded = () => {
        if (loaded) return;
        loaded = true;
        this.#loading = false;
        this.#startGroups();
      };
      let finished!: () => void;
      const turn = new Promise<void>((resolve) => {
        finished = resolve;
      });
      const run = this.#runGroup(group, { previous: this.#latest, loaded: onLoaded, finished }).finally(
        () => {
          onLoaded();
          finished();
          this.#inFlight.delete(run);
          this.#startGroups();
        },
      );
      this.#latest = turn;
      this.#inFlight.add(run);
    }
  }

  #takeGroup(): Pending[] {
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
    return group;
  }

  /** Never rejects: every call of the group is answered. */
  async #runGroup(group: Pending[], stages: Stages): Promise<void> {
    try {
      await this.#commitGroup(group, stages);
    } catch (error) {
      // A bug past the transaction (it committed or rolled back already): answer the calls rather than
      // leave them hanging; the state in memory is re-read from the database as candles are touched.
      this.#log?.error({ err: error }, 'ingest group failed after its transaction');
      this.#cache.clear();
      for (const pending of group) pending.reject(error);
    }
  }

  async #commitGroup(group: Pending[], stages: Stages): Promise<void> {
    // One row per (symbol, id) across the group; the first call that carries an id is the one that stores
    // it. Each call's own trades are a contiguous run of `unique`: call i owns unique[ends[i-1], ends[i]).
    const seen = new TradeKeyMap<true>();
    const unique: Trade[] = [];
    const ends = group.map((pending) => {
      for (const trade of pending.trades) if (seen.addNew(trade.symbol, trade.id, true)) unique.push(trade);
      return unique.length;
    });

    let fresh: readonly Trade[];
    let changed: Map<string, Candle>;
    let loaded: Map<string, Candle>;
    let symbolUpdates: SymbolState[];
    try {
      ({ fresh, changed, loaded, symbolUpdates } = await this.#database.db
        .transaction()
        .execute(async (trx) => {
          const fresh = await storeNewTrades(trx, this.#database.dialect, unique);
          const seconds = perSecondPartials(fresh);
          stages.loaded();
          await stages.previous;
          const missing: string[] = [];
          for (const key of touchedKeys(seconds)) if (!this.#cache.has(key)) missing.push(key);
          const loaded = missing.length > 0 ? await loadCandles(trx, missing) : new Map<string, Candle>();
          const changed = aggregate(seconds, (key) => this.#cache.get(key) ?? loaded.get(key));
          if (changed.size > 0) await upsertCandles(trx, [...changed.values()]);
          const symbolUpdates = this.#symbolUpdates(fresh);
          await upsertSymbols(trx, symbolUpdates);
          return { fresh, changed, loaded, symbolUpdates };
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
      stages.finished();
      for (const pending of group) pending.reject(failure);
      return;
    }

    // Committed: only now does the in-memory state move forward.
    for (const [key, candle] of loaded) this.#remember(key, candle);
    for (const [key, candle] of changed) this.#remember(key, candle);
    for (const state of symbolUpdates) this.#symbols.set(state.symbol, state);
    this.#stats.transactions += 1;
    this.#stats.trades += fresh.length;
    // Before the calls are answered: their callers' continuations would otherwise run first and hold the
    // thread while the next group could already be writing its candles.
    stages.finished();

    // Usually every unique trade was new; otherwise count each call's run of them among the fresh ones.
    const stored = fresh.length === unique.length ? null : new Set(fresh);
    group.forEach((pending, i) => {
      const start = i === 0 ? 0 : ends[i - 1]!;
      let accepted = ends[i]! - start;
      if (stored) for (let j = start; j < ends[i]!; j += 1) if (!stored.has(unique[j]!)) accepted -= 1;
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
