import { createDatabase, migrateToLatest } from '@platform/db';
import { createTestIssuer, type TestIssuer } from '@platform/testing';
import type { FastifyInstance } from 'fastify';
import { type AppConfig, type BuildOptions, buildKlineService } from '../app.ts';
import { migrations } from '../db/migrations.ts';

export const AUDIENCE = 'http://localhost:8080/kline';

export interface Harness {
  app: FastifyInstance;
  issuer: TestIssuer;
  /** A token for this service's audience with the given scopes. */
  token(scope: string, options?: { expiresIn?: number; aud?: string }): Promise<string>;
  /** Rebuilds the app on the same database (a restart), keeping the token issuer. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function migrate(databaseUrl: string): Promise<void> {
  const migrator = createDatabase(databaseUrl);
  await migrateToLatest(migrator, migrations);
  await migrator.close();
}

/** kline-service on a migrated database of the given URL, trusting a local test issuer. */
export async function startHarness(
  databaseUrl: string,
  options: BuildOptions & { config?: Partial<AppConfig> } = {},
): Promise<Harness> {
  await migrate(databaseUrl);
  const issuer = await createTestIssuer();
  const config: AppConfig = {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    OAUTH_ISSUER: issuer.issuer,
    OAUTH_JWKS_URL: issuer.jwksUri,
    TOKEN_AUDIENCE: AUDIENCE,
    KLINE_WS_PING_INTERVAL_MS: 20_000,
    KLINE_WS_MAX_BUFFERED_BYTES: 1024 * 1024,
    KLINE_WS_MAX_SOCKETS_PER_TOKEN: 16,
    KLINE_CANDLE_CACHE: 50_000,
    KLINE_SIMULATOR: false,
    KLINE_SIMULATOR_SYMBOLS: [],
    KLINE_SIMULATOR_RATE: 5,
    ...options.config,
  };
  const { config: _, ...buildOptions } = options;
  const harness: Harness = {
    app: await buildKlineService(config, buildOptions),
    issuer,
    token: (scope, mintOptions = {}) =>
      issuer.mint({
        aud: mintOptions.aud ?? AUDIENCE,
        client_id: 'client-a',
        sub: 'user-1',
        scope,
        ...(mintOptions.expiresIn !== undefined ? { expiresIn: mintOptions.expiresIn } : {}),
      }),
    async restart() {
      await harness.app.close();
      harness.app = await buildKlineService(config, buildOptions);
    },
    async close() {
      await harness.app.close();
      await issuer.close();
    },
  };
  return harness;
}
