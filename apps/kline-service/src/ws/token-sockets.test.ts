import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TokenSockets } from './token-sockets.ts';

/** Enough of a TCP connection for TokenSockets: a 'close' event and a destroyed flag. */
const connection = (destroyed = false) =>
  Object.assign(new EventEmitter(), { destroyed }) as unknown as Socket & EventEmitter;

describe('TokenSockets', () => {
  it('gives a token at most max places, counted apart from other tokens, freed when a connection closes', () => {
    const sockets = new TokenSockets(2);
    const first = connection();
    expect(sockets.acquire('jti-a', first)).toBe(true);
    expect(sockets.acquire('jti-a', connection())).toBe(true);
    expect(sockets.acquire('jti-a', connection())).toBe(false);
    expect(sockets.acquire('jti-b', connection())).toBe(true);
    first.emit('close');
    expect(sockets.count('jti-a')).toBe(1);
    expect(sockets.acquire('jti-a', connection())).toBe(true);
  });

  it('takes no place for a connection already gone (its close has fired)', () => {
    const sockets = new TokenSockets(1);
    expect(sockets.acquire('jti-a', connection(true))).toBe(true);
    expect(sockets.count('jti-a')).toBe(0);
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new TokenSockets(0)).toThrow(TypeError);
    expect(() => new TokenSockets(1.5)).toThrow(TypeError);
  });
});
