import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createClientAddress, pinClientAddress } from './client-address.ts';

const request = (peer: string, forwarded?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage;

describe('the browser address the portal believes', () => {
  const addressOf = createClientAddress(['127.0.0.0/8']);

  it("takes the gateway's X-Forwarded-For (its last entry, the one the gateway wrote)", () => {
    expect(addressOf(request('127.0.0.1', '198.51.100.7'))).toBe('198.51.100.7');
    expect(addressOf(request('127.0.0.1', '10.0.0.1, 198.51.100.7'))).toBe('198.51.100.7');
  });

  it('takes anyone else at its socket address, whatever it claims', () => {
    expect(addressOf(request('203.0.113.5', '198.51.100.7'))).toBe('203.0.113.5');
    expect(addressOf(request('127.0.0.1'))).toBe('127.0.0.1');
  });

  it('pins the header to the believed address', () => {
    const req = request('203.0.113.5', '198.51.100.7');
    pinClientAddress(req, addressOf(req));
    expect(req.headers['x-forwarded-for']).toBe('203.0.113.5');
  });
});
