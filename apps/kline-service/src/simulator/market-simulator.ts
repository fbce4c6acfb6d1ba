// Random-walk trades for a few symbols, so a fresh platform has candles to show. Off unless started
// (KLINE_SIMULATOR=true in the service, or the `simulate` command against a running service). Math.random
// only draws the walk; every price and quantity it produces is an exact decimal string.

export interface SimulatedTrade {
  symbol: string;
  id: number;
  price: string;
  qty: string;
  time: number;
  takerSide: 'buy' | 'sell';
}

export interface SimulatorOptions {
  symbols: readonly string[];
  /** Trades per second, per symbol. */
  tradesPerSecond: number;
  /** Where each symbol stands (last id and price), so a restart continues instead of reusing trade ids. */
  start?: ReadonlyArray<{ symbol: string; lastTradeId: number; lastPrice: bigint }>;
  submit(trades: SimulatedTrade[]): Promise<void>;
  onError?(error: unknown): void;
  /** Batches per second (default 5). */
  ticksPerSecond?: number;
  random?: () => number;
  now?: () => number;
}

// Prices in cents (2 decimals), quantities in ten-thousandths (4 decimals): integers, so the walk is exact.
const STARTING_CENTS: Record<string, number> = { BTCUSDT: 6_500_000, ETHUSDT: 320_000, SOLUSDT: 15_000 };
const DEFAULT_CENTS = 10_000;

const cents = (value: number) => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;
const tenThousandths = (value: number) =>
  `${Math.floor(value / 10_000)}.${String(value % 10_000).padStart(4, '0')}`;

interface Walker {
  symbol: string;
  nextId: number;
  priceCents: number;
}

export class MarketSimulator {
  readonly #options: SimulatorOptions;
  readonly #walkers: Walker[];
  readonly #random: () => number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #inFlight = false;

  constructor(options: SimulatorOptions) {
    if (options.symbols.length === 0) throw new TypeError('MarketSimulator: give at least one symbol');
    if (!(options.tradesPerSecond >= 1)) throw new TypeError('MarketSimulator: tradesPerSecond must be ≥ 1');
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#walkers = options.symbols.map((symbol) => {
      const known = options.start?.find((s) => s.symbol === symbol);
      // lastPrice is at scale 8; the walk moves in cents.
      const knownCents = known ? Number(known.lastPrice / 1_000_000n) : 0;
      return {
        symbol,
        nextId: known ? known.lastTradeId + 1 : 1,
        priceCents: knownCents > 0 ? knownCents : (STARTING_CENTS[symbol] ?? DEFAULT_CENTS),
      };
    });
  }

  /** One batch: trades spread over the last `spanMs` milliseconds, for every symbol. */
  batch(count: number, spanMs: number): SimulatedTrade[] {
    const now = this.#now();
    const trades: SimulatedTrade[] = [];
    for (const walker of this.#walkers) {
      for (let i = 0; i < count; i += 1) {
        // ±0.1% steps, never below one cent.
        const step = Math.round(walker.priceCents * 0.001 * (this.#random() * 2 - 1));
        walker.priceCents = Math.max(1, walker.priceCents + step);
        trades.push({
          symbol: walker.symbol,
          id: walker.nextId++,
          price: cents(walker.priceCents),
          qty: tenThousandths(1 + Math.floor(this.#random() * 5_000)),
          time: now - spanMs + Math.floor(((i + 1) * spanMs) / count),
          takerSide: this.#random() < 0.5 ? 'buy' : 'sell',
        });
      }
    }
    return trades;
  }

  start(): void {
    if (this.#timer) return;
    const ticks = this.#options.ticksPerSecond ?? 5;
    const perTick = Math.max(1, Math.round(this.#options.tradesPerSecond / ticks));
    const spanMs = Math.round(1000 / ticks);
    this.#timer = setInterval(() => {
      // Skip a tick rather than pile up batches behind a slow database.
      if (this.#inFlight) return;
      this.#inFlight = true;
      this.#options
        .submit(this.batch(perTick, spanMs))
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          this.#inFlight = false;
        });
    }, spanMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
