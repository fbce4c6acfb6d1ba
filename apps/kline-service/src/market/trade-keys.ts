// A trade's identity is (symbol, id). Ingest looks that pair up several times per trade (duplicates within a
// batch, within a group, among the rows a statement reports inserted); a map per symbol keyed by the numeric
// id does that without building a "symbol|id" string for every trade, which at 200,000 trades a second
// was a tenth of the ingest thread's time (strings built, hashed and collected).

/** Values keyed by (symbol, trade id). */
export class TradeKeyMap<V> {
  readonly #bySymbol = new Map<string, Map<number, V>>();

  get(symbol: string, id: number): V | undefined {
    return this.#bySymbol.get(symbol)?.get(id);
  }

  has(symbol: string, id: number): boolean {
    return this.#bySymbol.get(symbol)?.has(id) ?? false;
  }

  /** Sets the value unless the key is present; true when it was added. */
  addNew(symbol: string, id: number, value: V): boolean {
    let ids = this.#bySymbol.get(symbol);
    if (!ids) {
      ids = new Map();
      this.#bySymbol.set(symbol, ids);
    } else if (ids.has(id)) return false;
    ids.set(id, value);
    return true;
  }
}
