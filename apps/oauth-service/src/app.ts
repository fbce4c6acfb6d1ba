import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { StartupError } from '@platform/config';
import { createDatabase, type Database, pendingMigrations } from '@platform/db';
import { createApp } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { createRolesRepository } from './accounts/roles.repository.ts';
import { createSignIn } from './accounts/sign-in.ts';
import { createUsersRepository } from './accounts/users.repository.ts';
import { adminRoutes } from './admin/index.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { clientModelStore } from './clients/client-model-store.ts';
import { clientsRepository } from './clients/clients.repository.ts';
import type { OAuthServiceConfig } from './config.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import { migrations } from './db/migrations/index.ts';
import type { OAuthSchema } from './db/schema.ts';
import { consentsStore } from './interactions/consents.ts';
import { createCsrf } from './interactions/csrf.ts';
import { interactionRoutes } from './interactions/interaction.routes.ts';
import { createKeyStore, maxSignedTtlSec } from './keys/key-store.ts';
import { startExpiredCleanup } from './oidc/adapter/cleanup.ts';
import { createKyselyAdapter } from './oidc/adapter/kysely-adapter.ts';
import { observeProvider } from './oidc/events.ts';
import { pinForwardedHeaders } from './oidc/forwarded.ts';
import { mountProvider } from './oidc/mount.ts';
import { createProvider } from './oidc/provider.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.ts';
import { createResourceServersRepository } from './resources/resource-servers.repository.ts';

export interface BuildOptions {
  logStream?: { write(line: string): unknown };
  /** How often instances check the database for key changes (default 10 s). */
  keyPollMs?: number;
}

export interface OAuthService {
  app: FastifyInstance;
  database: Database<OAuthSchema>;
  providers: ProviderHolder;
}

/** Wires oauth-service: database, keys, oidc-provider, sign-in and consent pages, metrics and audit. */
export async function buildOAuthService(
  config: OAuthServiceConfig,
  options: BuildOptions = {},
): Promise<OAuthService> {
  const database = createDatabase<OAuthSchema>(config.DATABASE_URL);
  try {
    const pending = await pendingMigrations(database, migrations);
    if (pending.length > 0)
      throw new StartupError(`database is not migrated (pending: ${pending.join(', ')}); run pnpm db:push`);
    const { db } = database;
    const box = createSecretBox(config.ENCRYPTION_KEY);
    const users = createUsersRepository(db);
    await refuseSeededSecretsInProduction(config, users);

    const app = await createApp({
      name: 'oauth-service',
      logLevel: config.LOG_LEVEL,
      trustedProxies: config.TRUSTED_PROXIES,
      ...(config.LOG_FILE && !options.logStream ? { logFile: config.LOG_FILE } : {}),
      ...(options.logStream ? { logStream: options.logStream } : {}),
      readiness: { database: () => database.ping() },
      openapi: {
        path: '/api/admin/openapi.json',
        title: 'oauth-service admin API',
        version: '1.0.0',
        description:
          'Identity administration of the OAuth 2.1 platform: users, roles, clients, resource servers, keys and audit.',
      },
    });
    pinForwardedHeaders(app, config.PUBLIC_URL);
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    await app.register(cookie);

    const roles = createRolesRepository(db);
    const resources = createResourceServersRepository(db);
    const audit = createAuditLog(db, { batchMs: 10 });
    const keyStore = createKeyStore({
      db,
      box,
      maxTokenTtlSec: maxSignedTtlSec(config),
    });
    await keyStore.ensureKeys();
    const consents = consentsStore(db, { permissionsOf: (id) => roles.permissionsOf(id) });
    const clientStore = clientModelStore(db, box);
    const adapter = createKyselyAdapter(db, { overrides: { Client: () => clientStore } });

    const providers = await createProviderHolder({
      keyStore,
      intervalMs: options.keyPollMs ?? 10_000,
      onError: (error) => app.log.error({ err: error }, 'key reload failed'),
      build: (keys, cookieKeys) =>
        createProvider({
          config,
          keys: keys.keys,
          cookieKeys,
          adapter,
          resources,
          consents,
          allowedScopes: (clientId) => clientStore.allowedScopes(clientId),
          clientMetadata: (clientId) => clientStore.find(clientId),
          accounts: {
            async findById(id) {
              const user = await users.findById(id);
              return (
                user && {
                  id: user.id,
                  username: user.username,
                  email: user.email,
                  displayName: user.displayName,
                  active: user.status === 'active',
                }
              );
            },
          },
        }),
      onBuilt: (provider, keys) => {
        observeProvider(provider, { registry: app.metrics.registry, audit, log: app.log });
        app.log.info({ signing_kid: keys.signingKid, published: keys.keys.length }, 'oidc provider ready');
      },
    });
    mountProvider(app, providers.handler);

    interactionRoutes(app, {
      provider: providers.provider,
      csrf: createCsrf(config.COOKIE_SECRET, { secure: config.PUBLIC_URL.startsWith('https:') }),
      signIn: createSignIn({
        db,
        metricsRegistry: app.metrics.registry,
        maxFailures: config.LOGIN_MAX_FAILURES,
        lockMinutes: config.LOGIN_LOCK_MINUTES,
        ipLimitPerMinute: config.LOGIN_IP_LIMIT_PER_MINUTE,
      }),
      users: {
        get: (id) => users.findById(id),
        setPassword: (id, password, opts) => users.setPassword(id, password, opts),
      },
      permissionsOf: (id) => roles.permissionsOf(id),
      resources,
      consents,
      audit,
    });

    await adminRoutes(app, {
      config,
      db,
      users,
      roles,
      clients: clientsRepository(db, box, { onChange: (clientId) => clientStore.invalidate(clientId) }),
      resources,
      consents,
      keyStore,
      providers,
      audit,
    });

    // The ops document's scrape path for oauth-service; same registry as /metrics.
    app.get('/api/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    });

    const cleanup = startExpiredCleanup(db, {
      intervalMs: 60_000,
      onError: (error) => app.log.error({ err: error }, 'expired token cleanup failed'),
    });
    app.addHook('onClose', async () => {
      providers.stop();
      cleanup.stop();
      await audit.flush();
      await database.close();
    });

    return { app, database, providers };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** NODE_ENV=production refuses to run while the seeded admin still has its generated first password. */
async function refuseSeededSecretsInProduction(
  config: OAuthServiceConfig,
  users: ReturnType<typeof createUsersRepository>,
) {
  if (config.NODE_ENV !== 'production') return;
  const admin = await users.findByLogin(config.ADMIN_USERNAME);
  if (admin?.mustChangePassword) {
    throw new StartupError(
      `the seeded admin "${config.ADMIN_USERNAME}" still has its generated password: sign in once outside production to change it, or seed with ADMIN_PASSWORD`,
    );
  }
}
