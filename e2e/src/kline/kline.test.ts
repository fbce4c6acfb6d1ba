// kline-service with the real oauth-service: a machine token from client_credentials ingests trades and
// reads candles, a browser-style WebSocket (token as subprotocol) receives them live, and the `simulate`
// command gets its own token and feeds the service.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { describeEachDialect } from '@platform/db/testing';
import type { SpawnedService } from '@platform/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { discover, type OAuthServer, startOAuthServer } from '../oauth/harness.ts';
import { startService } from '../service.ts';

const KLINE_DIR = join(import.meta.dirname, '..', '..', '..', 'apps/kline-service');

describeEachDialect('kline-service trusts oauth-service', (temp) => {
  let server: OAuthServer;
  let kline: SpawnedService;
  let klineDb: TempDatabase;
  let token: string;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    klineDb = await createTempDatabase(temp().dialect);
    const env = {
      DATABASE_URL: klineDb.url,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: server.issuer,
      OAUTH_JWKS_URL: `${server.issuer}/oauth/jwks`,
    };
    kline = await startService(KLINE_DIR, env);
    const machine = await discover(server, 'flow-service', client.ClientSecretBasic(server.machineSecret));
    token = (
      await client.clientCredentialsGrant(machine, {
        resource: `${server.issuer}/kline`,
        scope: 'kline:read kline:write',
      })
    ).access_token;
  });
  afterAll(async () => {
    await kline?.stop();
    await server?.stop();
    await klineDb?.drop();
  });

  it('ingests with a client_credentials token and serves the candles back', async () => {
    const time = Date.now() - 120_000;
    const ingest = await fetch(`${kline.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        trades: [
          { symbol: 'E2EUSDT', id: 1, price: '10.5', qty: '2', time, takerSide: 'buy' },
          { symbol: 'E2EUSDT', id: 2, price: '11', qty: '1', time: time + 1, takerSide: 'sell' },
        ],
      }),
    });
    expect(await ingest.json()).toEqual({ accepted: 2, duplicates: 0 });
    const klines = await fetch(`${kline.url}/kline/api/v1/klines?symbol=E2EUSDT&interval=1d`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const [day] = (await klines.json()) as unknown[][];
    expect(day!.slice(1, 6)).toEqual([
      '10.50000000',
      '11.00000000',
      '10.50000000',
      '11.00000000',
      '3.00000000',
    ]);
    expect(day!.slice(7, 11)).toEqual(['32.00000000', 2, '2.00000000', '21.00000000']);
  });

  it('streams live candles to a browser-style WebSocket (token as subprotocol)', async () => {
    const socket = new WebSocket(`${kline.url.replace('http', 'ws')}/kline/ws`, [
      'kline.v1',
      `bearer.${token}`,
    ]);
    const messages: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    expect(socket.protocol).toBe('kline.v1');
    socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['e2eusdt@kline_1m'], id: 1 }));
    for (let i = 0; i < 50 && messages.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(messages[0]).toEqual({ result: null, id: 1 });
    await fetch(`${kline.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        trades: [{ symbol: 'E2EUSDT', id: 3, price: '12', qty: '1', time: Date.now(), takerSide: 'buy' }],
      }),
    });
    for (let i = 0; i < 100 && messages.length < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(messages[1]).toMatchObject({ e: 'kline', s: 'E2EUSDT', k: { i: '1m', c: '12.00000000', L: 3 } });
    socket.close();
  });

  it('the simulate command obtains its own token with client_credentials and feeds the service', async () => {
    const command = spawn(process.execPath, ['src/simulator/main.ts'], {
      cwd: KLINE_DIR,
      env: {
        ...process.env,
        KLINE_URL: kline.url,
        PUBLIC_URL: server.issuer,
        OAUTH_TOKEN_URL: `${server.issuer}/oauth/token`,
        OAUTH_CLIENT_ID: 'flow-service',
        OAUTH_CLIENT_SECRET: server.machineSecret,
        KLINE_SIMULATOR_SYMBOLS: 'SIMUSDT',
        KLINE_SIMULATOR_RATE: '100',
      },
      stdio: 'ignore',
    });
    let trades = 0;
    for (let i = 0; i < 100 && trades < 30; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      const body = (await (
        await fetch(`${kline.url}/kline/api/v1/symbols`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { symbols: Array<{ symbol: string; trades: number }> };
      trades = body.symbols.find((s) => s.symbol === 'SIMUSDT')?.trades ?? 0;
    }
    const exited = new Promise((resolve) => command.once('exit', resolve));
    command.kill('SIGINT');
    await exited;
    expect(trades).toBeGreaterThanOrEqual(30);
  });
});
