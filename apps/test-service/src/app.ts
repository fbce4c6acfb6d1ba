import { protectResource } from '@platform/auth';
import { openMigratedDatabase } from '@platform/db';
import { type App, createApp } from '@platform/http';
import type { TestServiceConfig } from './config.ts';
import { migrations } from './db/migrations.ts';
import type { TestServiceSchema } from './db/schema.ts';
import { echoRoutes } from './echo/echo.routes.ts';
import { createItemsRepository } from './items/items.repository.ts';
import { itemRoutes } from './items/items.routes.ts';
import { tickRoutes } from './ticks/ticks.routes.ts';

export const SCOPES = ['test:read', 'test:write'] as const;

export type AppConfig = Pick<
  TestServiceConfig,
  'DATABASE_URL' | 'LOG_LEVEL' | 'OAUTH_ISSUER' | 'OAUTH_JWKS_URL' | 'TOKEN_AUDIENCE'
> &
  Partial<Pick<TestServiceConfig, 'LOG_FILE' | 'TRUSTED_PROXIES'>>;

export interface BuildOptions {
  /** Test hook: capture the JSON log lines. */
  logStream?: { write(line: string): unknown };
}

/**
 * Every log line of an authenticated request (its "request completed" line too) names who it is for
 * (`sub`), through which client (`client_id`), and who acted for them (`act`, RFC 8693) when a service
 * such as flow-service called with an exchanged token. Identifiers only: the token is never logged.
 */
function logWhoActs(app: App): void {
  app.addHook('preHandler', async (request) => {
    const token = request.token;
    if (!token) return;
    request.log = request.log.child({
      sub: token.sub,
      client_id: token.clientId,
      ...(token.act ? { act: token.act.sub } : {}),
    });
  });
}

/** Builds test-service: the reference for how a platform resource service is put together. */
export async function buildTestService(config: AppConfig, options: BuildOptions = {}): Promise<App> {
  const database = await openMigratedDatabase<TestServiceSchema>(config.DATABASE_URL, migrations);
  const app = await createApp({
    name: 'test-service',
    logLevel: config.LOG_LEVEL,
    ...(config.TRUSTED_PROXIES ? { trustedProxies: config.TRUSTED_PROXIES } : {}),
    ...(config.LOG_FILE && !options.logStream ? { logFile: config.LOG_FILE } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
    readiness: { database: () => database.ping() },
    openapi: {
      path: '/test/openapi.json',
      title: 'test-service',
      version: '1.0.0',
      description:
        'Reference resource server of the platform: scoped echo, server-sent ticks and a small items resource.',
    },
    onClose: () => database.close(),
  });

  await protectResource(app, {
    resource: config.TOKEN_AUDIENCE,
    issuer: config.OAUTH_ISSUER,
    jwksUri: config.OAUTH_JWKS_URL,
    realm: 'test-service',
    scopes: SCOPES,
    resourceName: 'Platform test service',
  });

  logWhoActs(app);
  echoRoutes(app);
  tickRoutes(app);
  itemRoutes(app, createItemsRepository(database));
  return app;
}
