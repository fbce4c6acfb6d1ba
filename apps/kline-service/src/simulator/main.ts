// `pnpm --filter @platform/kline-service simulate`: feeds random-walk trades to a running kline-service
// through its public API (POST /kline/api/v1/trades), as any market-data producer would. Ctrl-C stops it.
//
// The token: KLINE_TOKEN (an access token with kline:write for the kline resource), or one obtained with
// client_credentials from OAUTH_TOKEN_URL as OAUTH_CLIENT_ID / OAUTH_CLIENT_SECRET (the seeded machine client
// `flow-service` may request kline:write), renewed before it expires.
import { httpUrl, list, loadConfig, publicOrigin, runMain, StartupError, z } from '@platform/config';
import { MarketSimulator, type SimulatorOptions } from './market-simulator.ts';

const config = (() => {
  try {
    return loadConfig({
      KLINE_URL: httpUrl.default('http://127.0.0.1:3003'),
      PUBLIC_URL: httpUrl.default('http://localhost:8080'),
      KLINE_TOKEN: z.string().optional(),
      OAUTH_TOKEN_URL: httpUrl.default('http://127.0.0.1:3001/oauth/token'),
      OAUTH_CLIENT_ID: z.string().default('flow-service'),
      OAUTH_CLIENT_SECRET: z.string().optional(),
      KLINE_SIMULATOR_SYMBOLS: list(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']),
      KLINE_SIMULATOR_RATE: z.coerce.number().int().min(1).max(10_000).default(5),
    });
  } catch (error) {
    return error as Error;
  }
})();

type SimulatorConfig = Exclude<typeof config, Error>;
type SymbolStart = NonNullable<SimulatorOptions['start']>[number];

interface Token {
  value: string;
  renewAt: number;
}

/** An access token for the kline resource: KLINE_TOKEN, or client_credentials renewed before expiry. */
function createTokenSource(settings: SimulatorConfig): () => Promise<string> {
  const resource = `${publicOrigin(settings.PUBLIC_URL)}/kline`;
  const credentials = `${encodeURIComponent(settings.OAUTH_CLIENT_ID)}:${encodeURIComponent(settings.OAUTH_CLIENT_SECRET ?? '')}`;
  let token: Token | null = null;
  return async () => {
    if (settings.KLINE_TOKEN) return settings.KLINE_TOKEN;
    if (token && Date.now() < token.renewAt) return token.value;
    const response = await fetch(settings.OAUTH_TOKEN_URL, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'kline:read kline:write',
        resource,
      }),
    });
    const body = (await response.json()) as { access_token?: string; expires_in?: number; error?: string };
    if (!response.ok || !body.access_token)
      throw new StartupError(
        `token request to ${settings.OAUTH_TOKEN_URL} failed: ${response.status} ${body.error ?? ''}`,
      );
    token = {
      value: body.access_token,
      renewAt: Date.now() + Math.max(10, (body.expires_in ?? 60) - 30) * 1000,
    };
    return token.value;
  };
}

/** Each symbol where the service stands, so restarts do not resend old trade ids. */
async function startingPoints(base: string, accessToken: () => Promise<string>): Promise<SymbolStart[]> {
  const response = await fetch(`${base}/kline/api/v1/symbols`, {
    headers: { authorization: `Bearer ${await accessToken()}` },
  });
  if (!response.ok) throw new StartupError(`GET ${base}/kline/api/v1/symbols answered ${response.status}`);
  const known = (await response.json()) as {
    symbols: Array<{ symbol: string; lastPrice: string; lastTradeId: number }>;
  };
  return known.symbols.map((s) => {
    const [whole = '0', fraction = ''] = s.lastPrice.split('.');
    return {
      symbol: s.symbol,
      lastTradeId: s.lastTradeId,
      lastPrice: BigInt(whole + fraction.padEnd(8, '0').slice(0, 8)),
    };
  });
}

function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
}

await runMain(async () => {
  if (config instanceof Error) throw config;
  const base = config.KLINE_URL.replace(/\/+$/, '');
  if (!config.KLINE_TOKEN && !config.OAUTH_CLIENT_SECRET)
    throw new StartupError(
      'set KLINE_TOKEN, or OAUTH_CLIENT_SECRET (client_credentials for OAUTH_CLIENT_ID) to get one',
    );
  const accessToken = createTokenSource(config);

  let sent = 0;
  const simulator = new MarketSimulator({
    symbols: config.KLINE_SIMULATOR_SYMBOLS,
    tradesPerSecond: config.KLINE_SIMULATOR_RATE,
    start: await startingPoints(base, accessToken),
    submit: async (trades) => {
      const response = await fetch(`${base}/kline/api/v1/trades`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await accessToken()}` },
        body: JSON.stringify({ trades }),
      });
      if (!response.ok) throw new Error(`POST trades answered ${response.status}: ${await response.text()}`);
      sent += trades.length;
    },
    onError: (error) => console.error(`simulate: ${(error as Error).message}`),
  });
  simulator.start();
  const symbols = config.KLINE_SIMULATOR_SYMBOLS.join(', ');
  console.log(`simulate: ${config.KLINE_SIMULATOR_RATE} trades/s for ${symbols} → ${base}; Ctrl-C stops`);
  const report = setInterval(() => console.log(`simulate: ${sent} trades sent`), 10_000);
  await untilSignalled();
  clearInterval(report);
  simulator.stop();
  console.log(`simulate: stopped after ${sent} trades`);
});
