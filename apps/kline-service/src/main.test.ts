// The service as an operator runs it: `node src/main.ts` with environment variables.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import { createTestIssuer, spawnService, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, migrate } from './test/harness.ts';

const SERVICE_DIR = join(import.meta.dirname, '..');

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, ['src/main.ts'], {
    cwd: SERVICE_DIR,
    env: { ...process.env, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('start-up errors', () => {
  it('exits non-zero with one line naming each bad variable', () => {
    const result = runMain({
      DATABASE_URL: 'nonsense',
      KLINE_SIMULATOR: 'maybe',
      KLINE_WS_PING_INTERVAL_MS: '5',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^invalid configuration: DATABASE_URL: .*KLINE_WS_PING_INTERVAL_MS: .*KLINE_SIMULATOR: /,
    );
  });

  it('refuses to start on a database that is not migrated, saying what to run', () => {
    const result = runMain({ DATABASE_URL: 'file::memory:' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'database is not migrated (pending: 0001_market_data, 0002_candle_kline_text); run pnpm db:push',
    );
  });
});

describeEachDialect('kline-service process', (temp) => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    await migrate(temp().url);
    issuer = await createTestIssuer();
  });
  afterAll(() => issuer.close());

  const start = (env: Record<string, string> = {}) =>
    spawnService({
      cwd: SERVICE_DIR,
      entry: 'src/main.ts',
      env: {
        DATABASE_URL: temp().url,
        HOST: '127.0.0.1',
        OAUTH_ISSUER: issuer.issuer,
        OAUTH_JWKS_URL: issuer.jwksUri,
        TOKEN_AUDIENCE: AUDIENCE,
        LOG_LEVEL: 'warn',
        ...env,
      },
      readyPath: '/ready',
    });
  const bearer = async (scope: string) => ({
    authorization: `Bearer ${await issuer.mint({ aud: AUDIENCE, client_id: 'c', scope })}`,
  });

  it('keeps every acknowledged trade through a kill -9 and a restart', async () => {
    const first = await start();
    const time = Date.now() - 5_000;
    const trades = Array.from({ length: 2_500 }, (_, i) => ({
      symbol: 'KILLUSDT',
      id: i + 1,
      price: `${100 + (i % 7)}.25`,
      qty: '0.001',
      time: time + i,
      takerSide: i % 2 ? 'buy' : 'sell',
    }));
    const res = await fetch(`${first.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { ...(await bearer('kline:write')), 'content-type': 'application/json' },
      body: JSON.stringify({ trades }),
    });
    expect(await res.json()).toEqual({ accepted: 2_500, duplicates: 0 });
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');

    const second = await start();
    const read = await bearer('kline:read');
    const month = await fetch(`${second.url}/kline/api/v1/klines?symbol=KILLUSDT&interval=1M`, {
      headers: read,
    });
    const candles = (await month.json()) as unknown[][];
    expect(candles.reduce((sum, c) => sum + (c[8] as number), 0)).toBe(2_500);
    expect(candles.reduce((sum, c) => sum + Number(c[5]), 0)).toBeCloseTo(2.5, 8);
    const again = await fetch(`${second.url}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { ...(await bearer('kline:write')), 'content-type': 'application/json' },
      body: JSON.stringify({ trades: trades.slice(0, 10) }),
    });
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 10 });
    // A graceful stop drains and exits 0.
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('runs the market simulator when KLINE_SIMULATOR=true, and not by default', async () => {
    const quiet = await start();
    const read = await bearer('kline:read');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const none = (await (await fetch(`${quiet.url}/kline/api/v1/symbols`, { headers: read })).json()) as {
      symbols: Array<{ symbol: string }>;
    };
    expect(none.symbols.map((s) => s.symbol)).not.toContain('SIMUSDT');
    await quiet.stop();

    const simulated = await start({
      KLINE_SIMULATOR: 'true',
      KLINE_SIMULATOR_SYMBOLS: 'SIMUSDT,SIMETH',
      KLINE_SIMULATOR_RATE: '50',
    });
    let symbols: Array<{ symbol: string; trades: number }> = [];
    for (let i = 0; i < 50 && symbols.length < 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const body = (await (
        await fetch(`${simulated.url}/kline/api/v1/symbols`, { headers: read })
      ).json()) as {
        symbols: Array<{ symbol: string; trades: number }>;
      };
      symbols = body.symbols.filter((s) => s.symbol.startsWith('SIM'));
    }
    expect(symbols.map((s) => s.symbol)).toEqual(['SIMETH', 'SIMUSDT']);
    expect(symbols.every((s) => s.trades > 0)).toBe(true);
    const klines = (await (
      await fetch(`${simulated.url}/kline/api/v1/klines?symbol=SIMUSDT&interval=1s`, { headers: read })
    ).json()) as unknown[][];
    expect(klines.length).toBeGreaterThan(0);
    expect(await simulated.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('the simulate command feeds a running service through its API until stopped', async () => {
    const service = await start();
    const read = await bearer('kline:read');
    const command = spawn(process.execPath, ['src/simulator/main.ts'], {
      cwd: SERVICE_DIR,
      env: {
        ...process.env,
        KLINE_URL: service.url,
        KLINE_TOKEN: await issuer.mint({ aud: AUDIENCE, client_id: 'sim', scope: 'kline:read kline:write' }),
        KLINE_SIMULATOR_SYMBOLS: 'CMDUSDT',
        KLINE_SIMULATOR_RATE: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    command.stdout.on('data', (chunk) => {
      output += chunk;
    });
    command.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let trades = 0;
    for (let i = 0; i < 80 && trades < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const body = (await (await fetch(`${service.url}/kline/api/v1/symbols`, { headers: read })).json()) as {
        symbols: Array<{ symbol: string; trades: number }>;
      };
      trades = body.symbols.find((s) => s.symbol === 'CMDUSDT')?.trades ?? 0;
    }
    expect(trades).toBeGreaterThanOrEqual(50);
    const exited = new Promise<number | null>((resolve) => command.once('exit', (code) => resolve(code)));
    command.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/simulate: stopped after \d+ trades/);
    await service.stop();
  });
});
