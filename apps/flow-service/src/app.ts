import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { protectResource } from '@platform/auth';
import { type Database, openMigratedDatabase } from '@platform/db';
import { type App, createApp, type LogStream } from '@platform/http';
import { createActingUsers } from './acting-user/acting-users.repository.ts';
import { createTokenSeal } from './acting-user/token-seal.ts';
import { createApprovalsRepository } from './approvals/approvals.repository.ts';
import { approvalRoutes } from './approvals/approvals.routes.ts';
import type { FlowServiceConfig } from './config.ts';
import { migrations } from './db/migrations.ts';
import type { FlowSchema } from './db/schema.ts';
import {
  createDefinitionsRepository,
  type DefinitionsRepository,
} from './definitions/definitions.repository.ts';
import { definitionRoutes } from './definitions/definitions.routes.ts';
import { createEgressPolicy } from './egress/egress-policy.ts';
import { createEngine, type Engine, type EngineOptions } from './engine/engine.ts';
import { EngineSignals } from './engine/events.ts';
import { createEngineMetrics, type EngineMetrics } from './engine/metrics.ts';
import { createRunControl } from './engine/run-control.ts';
import { type AuthorityClient, createAuthorityClient } from './http-step/authority-client.ts';
import { createTokenClient, type TokenClient } from './http-step/token-client.ts';
import { createRunsRepository } from './runs/runs.repository.ts';
import { runRoutes } from './runs/runs.routes.ts';
import { createScheduler, type Scheduler } from './schedules/scheduler.ts';
import { createSchedulesRepository } from './schedules/schedules.repository.ts';
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
export async function buildFlowService(config: AppConfig, options: BuildOptions = {}): Promise<App> {
  const database = await openMigratedDatabase<FlowSchema>(config.DATABASE_URL, migrations, { poolMax: 10 });
  // The engines and the scheduler exist once the app does; closing the app stops them first.
  const workers: { engines: Engine[]; scheduler?: Scheduler } = { engines: [] };
  const app = await createFlowApp(config, options, database, async () => {
    await workers.scheduler?.stop();
    await Promise.all(workers.engines.map((lane) => lane.stop()));
    await database.close();
  });

  const definitions = createDefinitionsRepository(database.db);
  const { tokens, authority } = createStepClients(app, config, options);
  // The starter's token, sealed under a key derived from the client secret, for the run's http steps.
  const seal = config.FLOW_CLIENT_SECRET ? createTokenSeal(config.FLOW_CLIENT_SECRET) : null;
  const actingUsers =
    seal && createActingUsers(database.db, seal, tokens && ((token) => tokens.revoke(token)));
  const policy = createEgressPolicy({
    publicUrl: config.PUBLIC_URL,
    resourceServers: config.FLOW_RESOURCE_SERVERS,
    allowedOrigins: config.FLOW_HTTP_ALLOWED_ORIGINS,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  workers.engines = createEngineLanes(app, config, database, definitions, {
    tokens,
    authority,
    actingUsers,
    policy,
  });
  const engine = workers.engines[0] as Engine;
  const scheduler = createScheduler(database, engine, {
    intervalMs: 1000,
    log: (message, fields) => app.log.info(fields, message),
  });
  workers.scheduler = scheduler;
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
  approvalRoutes(app, createApprovalsRepository(database.db));
  const runs = createRunsRepository(database.db, definitions);
  runRoutes(app, engine, runs, createRunControl(database, engine.store, engine.startRun), { seal, tokens });
  scheduleRoutes(app, {
    scheduler,
    schedules: createSchedulesRepository(database),
    definitions,
    defaultCatchupMs: config.FLOW_SCHEDULE_CATCHUP_MS,
  });

  // Work starts once the server listens, and stops (before the database closes) when it closes.
  app.addHook('onReady', async () => {
    for (const lane of workers.engines) lane.start();
    scheduler.start();
  });
  return app;
}

function createFlowApp(
  config: AppConfig,
  options: BuildOptions,
  database: Database<FlowSchema>,
  onClose: () => Promise<void>,
): Promise<App> {
  return createApp({
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
    onClose,
  });
}

/**
 * What http steps call oauth-service with: the token client (client_credentials as the flow-service
 * client), and the authority that tells a definition author's current scopes.
 */
function createStepClients(app: App, config: AppConfig, options: BuildOptions) {
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
  return { tokens, authority };
}

type HttpStepOptions = Pick<
  EngineOptions['executors']['http'],
  'tokens' | 'authority' | 'actingUsers' | 'policy'
>;

/**
 * The engine loops ("lanes") of this process, sharing one set of signals and metrics. PostgreSQL serves
 * several connections at once: more than one lane keeps it busy while each lane waits on its round trips.
 * SQLite has one writer, so one lane.
 */
function createEngineLanes(
  app: App,
  config: AppConfig,
  database: Database<FlowSchema>,
  definitions: DefinitionsRepository,
  http: HttpStepOptions,
): Engine[] {
  const workerId =
    config.FLOW_INSTANCE_ID ?? `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const lanes = database.dialect === 'postgres' ? config.FLOW_ENGINE_LANES : 1;
  const queue: { engine?: Engine } = {};
  const metrics = createEngineMetrics(
    app.metrics.registry,
    () => queue.engine?.store.queueDepth() ?? Promise.resolve(0),
  );
  const signals = new EngineSignals();
  const engines = Array.from({ length: lanes }, (_, lane) =>
    createEngine(
      database,
      definitions,
      laneOptions(app, config, http, metrics, lanes, lane, workerId),
      signals,
    ),
  );
  queue.engine = engines[0];
  return engines;
}

function laneOptions(
  app: App,
  config: AppConfig,
  http: HttpStepOptions,
  metrics: EngineMetrics,
  lanes: number,
  lane: number,
  workerId: string,
): EngineOptions {
  return {
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
      http: { ...http, maxBodyBytes: config.FLOW_HTTP_MAX_BODY_BYTES },
      approvalTimeoutMs: config.FLOW_APPROVAL_TIMEOUT_MS,
      approvalDefault: config.FLOW_APPROVAL_DEFAULT,
    },
  };
}
