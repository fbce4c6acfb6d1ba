// Fan-out of committed candles to WebSocket subscribers, per stream (`<symbol>@kline_<interval>`).
//
// - Coalescing: a stream flushes at most once per `minFlushIntervalMs` (100 ms = 10 updates/s). A flush
//   sends the latest state of each candle that changed since the previous one, oldest first: normally
//   one message, two at a rollover (the closing candle with x=true, then the new one).
// - The closed flag `x`: a candle is closed once a later candle of its series has trades (trade-time
//   rollover) or once its close time has passed on the clock. A quiet market still gets its closing
//   message: a sweep sends it when the close time passes. A late trade that changes a closed candle is
//   sent with x=true.
// - Each payload is serialized once per flush and written to every subscriber. A subscriber whose
//   socket has more than `maxBufferedBytes` unsent is dropped instead of being buffered for, so one slow
//   reader never holds memory or delays the others.
import type { Candle } from '../market/candle.ts';
import { klineEvent } from './payload.ts';
import type { StreamName } from './streams.ts';

export interface Subscriber {
  send(data: string): void;
  bufferedAmount(): number;
  /** Disconnects it (it could not keep up). */
  drop(reason: string): void;
}

interface Stream {
  name: string;
  series: string;
  subscribers: Set<Subscriber>;
  /** Changed candles waiting for the next flush, by open time. */
  pending: Map<number, Candle>;
  lastFlushAt: number;
  timer: NodeJS.Timeout | null;
  /** Open time of the series' latest candle whose closing message was sent (or that was closed before anyone listened). */
  closedAnnounced: number | null;
}

export interface HubOptions {
  /** Market clock for the closed flag (ms). Defaults to Date.now; tests pin it. */
  clock?: () => number;
  minFlushIntervalMs?: number;
  maxBufferedBytes?: number;
  /** How often quiet streams are checked for a candle whose close time passed. */
  sweepIntervalMs?: number;
  onMessages?: (count: number) => void;
  onDrop?: () => void;
}

const seriesOf = (symbol: string, interval: string) => `${symbol}|${interval}`;

export class KlineHub {
  readonly #clock: () => number;
  readonly #minFlushIntervalMs: number;
  readonly #maxBufferedBytes: number;
  readonly #onMessages: (count: number) => void;
  readonly #onDrop: () => void;
  /** The latest candle (by open time) of every series that has trades since start. */
  readonly #latest = new Map<string, Candle>();
  readonly #streams = new Map<string, Stream>();
  readonly #sweep: NodeJS.Timeout;

  constructor(options: HubOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#minFlushIntervalMs = options.minFlushIntervalMs ?? 100;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.#onMessages = options.onMessages ?? (() => {});
    this.#onDrop = options.onDrop ?? (() => {});
    for (const [name, value] of [
      ['minFlushIntervalMs', this.#minFlushIntervalMs],
      ['maxBufferedBytes', this.#maxBufferedBytes],
      ['sweepIntervalMs', options.sweepIntervalMs ?? 100],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new TypeError(`KlineHub: ${name} must be a positive integer`);
    }
    this.#sweep = setInterval(() => this.#sweepClosed(), options.sweepIntervalMs ?? 100);
    this.#sweep.unref();
  }

  /** Seeds the latest candle of a series (e.g. read from the database at start), without sending. */
  seed(candle: Candle): void {
    const series = seriesOf(candle.symbol, candle.interval);
    const current = this.#latest.get(series);
    if (!current || candle.openTime >= current.openTime) this.#latest.set(series, candle);
  }

  subscribe(subscriber: Subscriber, stream: StreamName): void {
    let state = this.#streams.get(stream.name);
    if (!state) {
      const series = seriesOf(stream.symbol, stream.interval);
      const latest = this.#latest.get(series);
      state = {
        name: stream.name,
        series,
        subscribers: new Set(),
        pending: new Map(),
        lastFlushAt: 0,
        timer: null,
        closedAnnounced: latest && this.#isClosed(latest) ? latest.openTime : null,
      };
      this.#streams.set(stream.name, state);
    }
    state.subscribers.add(subscriber);
  }

  unsubscribe(subscriber: Subscriber, name: string): void {
    const state = this.#streams.get(name);
    if (!state) return;
    state.subscribers.delete(subscriber);
    if (state.subscribers.size === 0) {
      if (state.timer) clearTimeout(state.timer);
      this.#streams.delete(name);
    }
  }

  /** New state of candles just committed. */
  publish(candles: readonly Candle[]): void {
    for (const candle of candles) {
      const series = seriesOf(candle.symbol, candle.interval);
      const previous = this.#latest.get(series);
      if (!previous || candle.openTime >= previous.openTime) this.#latest.set(series, candle);
      const stream = this.#streams.get(`${candle.symbol.toLowerCase()}@kline_${candle.interval}`);
      if (!stream) continue;
      // Rollover by trade time: the previous candle's final state goes out as closed, unless already sent.
      if (previous && candle.openTime > previous.openTime && stream.closedAnnounced !== previous.openTime) {
        if (!stream.pending.has(previous.openTime)) stream.pending.set(previous.openTime, previous);
      }
      stream.pending.set(candle.openTime, candle);
      this.#schedule(stream);
    }
  }

  /** Streams with at least one subscriber. */
  streamCount(): number {
    return this.#streams.size;
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const stream of this.#streams.values()) if (stream.timer) clearTimeout(stream.timer);
    this.#streams.clear();
  }

  #isClosed(candle: Candle): boolean {
    if (candle.closeTime < this.#clock()) return true;
    const latest = this.#latest.get(seriesOf(candle.symbol, candle.interval));
    return latest !== undefined && latest.openTime > candle.openTime;
  }

  #sweepClosed(): void {
    for (const stream of this.#streams.values()) {
      const latest = this.#latest.get(stream.series);
      if (!latest || stream.closedAnnounced === latest.openTime || latest.closeTime >= this.#clock())
        continue;
      if (!stream.pending.has(latest.openTime)) stream.pending.set(latest.openTime, latest);
      this.#schedule(stream);
    }
  }

  #schedule(stream: Stream): void {
    if (stream.timer) return;
    // Never flush inside publish(): the other candles of the same commit (a rollover's pair) join this flush.
    const wait = Math.max(0, stream.lastFlushAt + this.#minFlushIntervalMs - performance.now());
    stream.timer = setTimeout(() => this.#flush(stream), wait);
  }

  #flush(stream: Stream): void {
    stream.timer = null;
    stream.lastFlushAt = performance.now();
    if (stream.pending.size === 0) return;
    const candles = [...stream.pending.values()].sort((a, b) => a.openTime - b.openTime);
    stream.pending.clear();
    const latest = this.#latest.get(stream.series);
    const eventTime = Date.now();
    const messages = candles.map((candle) => {
      const closed = this.#isClosed(candle);
      if (closed && latest && candle.openTime === latest.openTime) stream.closedAnnounced = candle.openTime;
      return klineEvent(candle, closed, eventTime);
    });
    let sent = 0;
    for (const subscriber of stream.subscribers) {
      if (this.dropIfSlow(subscriber, 'slow consumer: too many unsent messages')) continue;
      for (const message of messages) subscriber.send(message);
      sent += messages.length;
    }
    if (sent > 0) this.#onMessages(sent);
  }

  /**
   * Drops `subscriber` (and counts it) when its socket holds more than `maxBufferedBytes` unsent: the one
   * limit for events and for replies to its own requests. True when it was dropped.
   */
  dropIfSlow(subscriber: Subscriber, reason: string): boolean {
    if (subscriber.bufferedAmount() <= this.#maxBufferedBytes) return false;
    this.#onDrop();
    subscriber.drop(reason);
    return true;
  }
}
