import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('returns different ports for concurrent callers', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    // The OS hands out ephemeral ports round-robin; four identical answers would mean a constant.
    expect(new Set(ports).size).toBeGreaterThan(1);
  });
});
