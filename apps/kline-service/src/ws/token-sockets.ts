// How many WebSockets each access token holds open. Keyed by the token's `jti`: the cap is per token, as
// a token is the unit a client is given; a client that wants more sockets must obtain more tokens, which
// oauth-service and the gateway rate-limit. A place is taken before the upgrade and given back when the TCP
// connection ends, whether or not the upgrade completed, so a failed handshake cannot leak a place.
import type { Socket } from 'node:net';

export class TokenSockets {
  readonly #max: number;
  readonly #open = new Map<string, number>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new TypeError('TokenSockets: max must be a positive integer');
    this.#max = max;
  }

  get max(): number {
    return this.#max;
  }

  /** Takes a place for `jti` until `connection` closes; false when the token already holds `max`. */
  acquire(jti: string, connection: Socket): boolean {
    const count = this.#open.get(jti) ?? 0;
    if (count >= this.#max) return false;
    // Already gone: its 'close' has fired, and it will never become a WebSocket.
    if (connection.destroyed) return true;
    this.#open.set(jti, count + 1);
    connection.once('close', () => this.#release(jti));
    return true;
  }

  /** Sockets open for `jti`. */
  count(jti: string): number {
    return this.#open.get(jti) ?? 0;
  }

  #release(jti: string): void {
    const count = (this.#open.get(jti) ?? 1) - 1;
    if (count <= 0) this.#open.delete(jti);
    else this.#open.set(jti, count);
  }
}
