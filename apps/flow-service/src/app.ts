import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { protectResource } from '@platform/auth';
import { StartupError } from '@platform/config';
import { createDatabase, type Database, pendingMigrations } from '@platform/db';
import { createApp, type LogStream } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { FlowServiceConfig } from './config.ts';
import { migrations } from './db/migrations.ts';
import type { FlowSchema } from './db/schema.ts';
import { definitionsRepository } from './definitions/definitions.repository.ts';
import { definitionRoutes } from './definitions/definitions.routes.ts';
import { createEgressPolicy, type EgressPolicy } from './egress/egress-policy.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { EngineSignals } from './engine/events.ts';
import { engineMetrics } from './engine/metrics.ts';
import { runControl } from './engine/run-control.ts';
import { type AuthorityClient, createAuthorityClient } from './http-step/authority-client.ts';
import { createTokenClient, type TokenClient } from './http-step/token-client.ts';
import { runsRepository } from './runs/runs.repository.ts';
import { runRoutes } from './runs/runs.routes.ts';
import { createScheduler, type Scheduler } from './schedules/scheduler.ts';
import { scheduleRoutes } from './schedules/schedules.routes.ts';

export const SCOPES = ['flow:read', 'flow:write', 'flow:run', 'flow:approve'] as const;

export type AppConfig = Omit<
  FlowServiceConfig,
  'NODE_ENV' | 'HOST' | 'PORT' | 'LOG_FILE' | 'SHUTDOWN_DRAIN_DELAY_MS' | 'TRUSTED_PROXIES'
> &
  Partial<Pick<FlowServiceConfig, 'LOG_FILE' | 'TRUSTED_PROXIES'>>;

export interface BuildOptions {
  logStream?: LogStream;
  /** Test hook: how the token endpoint and oauth-service's admin API are reached. */
  fetch?: typeof fetch;
  /** Test hook: the authors' current scopes (default: asked from oauth-service). */
  authority?: AuthorityClient | null;
  /** Test hook: DNS resolution for the egress policy. */
  resolve?: Parameters<typeof createEgressPolicy>[0]['resolve'];
}

declare module 'fastify' {
  interface FastifyInstance {
    flow: {
      engine: Engine;
      scheduler: Scheduler;
      tokens: TokenClient | null;
      database: Database<FlowSchema>;
    };
  }
}

/** Builds flow-service: the API, the engine (workers) and the scheduler, on one database. */
export async function buildFlowService(
  config: AppConfig,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const database = createDatabase<FlowSchema>(config.DATABASE_URL, { poolMax: 10 });
  const pending = await pendingMigrations(database, migrations).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  if (pending.length > 0) {
    await database.close();
    throw new StartupError(`database is not migrated (pending: ${pending.join(', ')}); run pnpm db:push`);
  }

  let engines: Engine[] = [];
  let scheduler: Scheduler | undefined;
  const app = await createApp({
    name: 'flow-service',
    logLevel: config.LOG_LEVEL,
    ...(config.TRUSTED_PROXIES ? { trustedProxies: config.TRUSTED_PROXIES } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(config.LOG_FILE && !options.logStream ? { logFile: config.LOG_FILE } : {}),
    readiness: { database: () => database.ping() },
    openapi: {
      path: '/flow/openapi.json',
      title: 'flow-service',
      version: '1.0.0',
      description:
        'Durable DAG workflow engine: definitions (JSON/YAML), runs, steps, approvals, schedules and run events (SSE).',
    },
    onClose: async () => {
      await scheduler?.stop();
      await Promise.all(engines.map((lane) => lane.stop()));
      await database.close();
    },
  });

  const definitions = definitionsRepository(database.db);
  const tokens = config.FLOW_CLIENT_SECRET
    ? createTokenClient({
        tokenUrl: config.OAUTH_TOKEN_URL,
        clientId: config.FLOW_CLIENT_ID,
        clientSecret: config.FLOW_CLIENT_SECRET,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })
    : null;
  if (!tokens) app.log.warn('FLOW_CLIENT_SECRET is not set: http steps that need a token will fail');
  const authority =
    options.authority !== undefined
      ? options.authority
      : tokens &&
        createAuthorityClient({
          adminUrl: config.OAUTH_ADMIN_URL,
          audience: `${config.PUBLIC_URL}/api/admin`,
          tokens,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
  const policy: EgressPolicy = createEgressPolicy({
    publicUrl: config.PUBLIC_URL,
    resourceServers: config.FLOW_RESOURCE_SERVERS,
    allowedOrigins: config.FLOW_HTTP_ALLOWED_ORIGINS,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const workerId =
    config.FLOW_INSTANCE_ID ?? `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const engineRef: { current?: Engine } = {};
  const metrics = engineMetrics(
    app.metrics.registry,
    () => engineRef.current?.store.queueDepth() ?? Promise.resolve(0),
  );
  // PostgreSQL serves several connections at once: more than one engine loop ("lane") per process keeps
  // it busy while each lane waits on its round trips. SQLite has one writer, so one lane.
  const lanes = database.dialect === 'postgres' ? config.FLOW_ENGINE_LANES : 1;
  const signals = new EngineSignals();
  engines = Array.from({ length: lanes }, (_, lane) =>
    createEngine(
      database,
      definitions,
      {
        workerId: lanes > 1 ? `${workerId}/${lane}` : workerId,
        concurrency: Math.max(1, Math.ceil(config.FLOW_WORKER_CONCURRENCY / lanes)),
        leaseMs: config.FLOW_LEASE_MS,
        pollIntervalMs: config.FLOW_POLL_INTERVAL_MS,
        sweepIntervalMs: config.FLOW_SWEEP_INTERVAL_MS,
        defaultStepTimeoutMs: config.FLOW_STEP_TIMEOUT_MS,
        work: config.FLOW_WORKER,
        metrics,
        log: (message, fields) => app.log.error(fields, message),
        executors: {
          http: { tokens, authority, policy, maxBodyBytes: config.FLOW_HTTP_MAX_BODY_BYTES },
          approvalTimeoutMs: config.FLOW_APPROVAL_TIMEOUT_MS,
          approvalDefault: config.FLOW_APPROVAL_DEFAULT,
        },
      },
      signals,
    ),
  );
  const engine = engines[0] as Engine;
  engineRef.current = engine;
  scheduler = createScheduler(database, engine, {
    intervalMs: 1000,
    log: (message, fields) => app.log.info(fields, message),
  });
  app.decorate('flow', { engine, scheduler, tokens, database });

  await protectResource(app, {
    resource: config.TOKEN_AUDIENCE,
    issuer: config.OAUTH_ISSUER,
    jwksUri: config.OAUTH_JWKS_URL,
    realm: 'flow-service',
    scopes: SCOPES,
    resourceName: 'Platform workflow service',
  });

  definitionRoutes(app, definitions, { policy, authority });
  runRoutes(
    app,
    engine,
    runsRepository(database.db, definitions),
    runControl(database, engine.store, engine.startRun),
  );
  scheduleRoutes(app, database, scheduler, definitions, config.FLOW_SCHEDULE_CATCHUP_MS);

  // Work starts once the server listens, and stops (before the database closes) when it closes.
  app.addHook('onReady', async () => {
    for (const lane of engines) lane.start();
    scheduler?.start();
  });
  return app;
}
