import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { StartupError } from '@platform/config';
import { type Database, type Kysely, openMigratedDatabase } from '@platform/db';
import { type App, createApp } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { grantableScopes } from './account/account-scope.ts';
import { accountRoutes } from './account/index.ts';
import { accountLinkRoutes } from './account-links/account-links.routes.ts';
import type { AccountMail } from './account-links/account-mail.ts';
import { createAccountMailService } from './account-links/wiring.ts';
import { createRolesRepository } from './accounts/roles.repository.ts';
import { createSignIn, type SignIn } from './accounts/sign-in.ts';
import { createUsersRepository } from './accounts/users.repository.ts';
import type { AdminFactors } from './admin/deps.ts';
import { adminRoutes } from './admin/index.ts';
import { type AuditLog, createAuditLog } from './audit/audit-log.ts';
import { createClientModelStore } from './clients/client-model-store.ts';
import { createClientsRepository } from './clients/clients.repository.ts';
import type { OAuthServiceConfig } from './config.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import { migrations } from './db/migrations/index.ts';
import type { OAuthSchema } from './db/schema.ts';
import { createFederationRepositories } from './federation/repositories.ts';
import { federationRoutes, upstreamButtons } from './federation/wiring.ts';
import { createConsentsStore } from './interactions/consents.ts';
import { type Csrf, createCsrf } from './interactions/csrf.ts';
import { type InteractionDeps, interactionRoutes } from './interactions/interaction.routes.ts';
import { createKeyStore, maxSignedTtlSec } from './keys/key-store.ts';
import { createMfaModule } from './mfa/wiring.ts';
import { startExpiredCleanup } from './oidc/adapter/cleanup.ts';
import { createKyselyAdapter } from './oidc/adapter/kysely-adapter.ts';
import { observeProvider } from './oidc/events.ts';
import { pinForwardedHeaders } from './oidc/forwarded.ts';
import { mountProvider } from './oidc/mount.ts';
import { type AccountLookup, createProvider } from './oidc/provider.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.ts';
import { FORGOT_PASSWORD_PATH } from './pages/account-pages.ts';
import { passkeyRoutes } from './passkeys/passkey.routes.ts';
import { passkeyFactorRoutes } from './passkeys/passkey-second-factor.routes.ts';
import { createPasskeysRepository } from './passkeys/passkeys.repository.ts';
import { createPasskeyService, type PasskeyService } from './passkeys/passkeys.service.ts';
import { createResourceServersRepository } from './resources/resource-servers.repository.ts';
import { createTokenExchangePolicies } from './token-exchange/policies.repository.ts';
import { tokenExchangeDeps } from './token-exchange/wiring.ts';

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

/** The repositories and stores the provider, the interaction pages and the admin API share. */
function createModel(db: Kysely<OAuthSchema>, config: OAuthServiceConfig) {
  const box = createSecretBox(config.ENCRYPTION_KEY);
  const roles = createRolesRepository(db);
  const clientStore = createClientModelStore(db, box);
  const users = createUsersRepository(db);
  const passkeys = createPasskeysRepository(db);
  // A passkey is asked as the second factor too: a user with one is not taken through TOTP enrolment.
  const userHasPasskey = async (userId: string) => (await passkeys.listByUser(userId)).length > 0;
  const scopesGrantableTo = grantableScopes({
    permissionsOf: (id) => roles.permissionsOf(id),
    findUser: (id) => users.findById(id),
  });
  return {
    users,
    roles,
    scopesGrantableTo,
    resources: createResourceServersRepository(db),
    audit: createAuditLog(db, { batchMs: 10 }),
    keyStore: createKeyStore({ db, box, maxTokenTtlSec: maxSignedTtlSec(config) }),
    consents: createConsentsStore(db, { permissionsOf: scopesGrantableTo }),
    clientStore,
    clients: createClientsRepository(db, box, { onChange: (clientId) => clientStore.invalidate(clientId) }),
    passkeys,
    userHasPasskey,
    tokenExchangePolicies: createTokenExchangePolicies(db),
    mfa: createMfaModule(db, config, box, { otherFactors: [userHasPasskey] }),
    federation: createFederationRepositories(db, box),
  };
}

type Model = ReturnType<typeof createModel>;

function createHttpApp(config: OAuthServiceConfig, options: BuildOptions, database: Database<OAuthSchema>) {
  return createApp({
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
      documents: [
        {
          path: '/api/account/openapi.json',
          prefixes: ['/api/account/', '/.well-known/oauth-protected-resource/api/account'],
          title: 'oauth-service account API',
          description:
            'Every user manages their own account: profile, password, sign-in sessions, applications and security events.',
        },
      ],
    },
  });
}

/** The account facts the provider reads: who `sub` is, and whether they may still sign in. */
const accountLookup = (users: Model['users']): AccountLookup => ({
  async findById(id) {
    const user = await users.findById(id);
    return (
      user && {
        id: user.id,
        username: user.username,
        email: user.email,
        displayName: user.displayName,
        emailVerified: user.emailVerified,
        active: user.status === 'active',
      }
    );
  },
});

/** oidc-provider, rebuilt whenever the key set changes (see provider-holder.ts). */
function startProviders(
  app: App,
  config: OAuthServiceConfig,
  model: Model,
  db: Kysely<OAuthSchema>,
  keyPollMs: number,
) {
  const { clientStore } = model;
  const adapter = createKyselyAdapter(db, { overrides: { Client: () => clientStore } });
  return createProviderHolder({
    keyStore: model.keyStore,
    intervalMs: keyPollMs,
    onError: (error) => app.log.error({ err: error }, 'key reload failed'),
    build: (keys, cookieKeys) =>
      createProvider({
        config,
        keys: keys.keys,
        cookieKeys,
        adapter,
        resources: model.resources,
        consents: model.consents,
        allowedScopes: (clientId) => clientStore.allowedScopes(clientId),
        clientMetadata: (clientId) => clientStore.find(clientId),
        isFirstParty: (clientId) => clientStore.isFirstParty(clientId),
        isManagedBackchannelUri: (url) => clientStore.isManagedBackchannelUri(url),
        accounts: accountLookup(model.users),
        requiresMfa: model.mfa.policy.requiresMfa,
        tokenExchange: tokenExchangeDeps(model),
      }),
    onBuilt: (provider, keys) => {
      observeProvider(provider, { registry: app.metrics.registry, audit: model.audit, log: app.log });
      app.log.info({ signing_kid: keys.signingKid, published: keys.keys.length }, 'oidc provider ready');
    },
  });
}

/** Wires oauth-service: database, keys, oidc-provider, sign-in and consent pages, metrics and audit. */
export async function buildOAuthService(
  config: OAuthServiceConfig,
  options: BuildOptions = {},
): Promise<OAuthService> {
  const database = await openMigratedDatabase<OAuthSchema>(config.DATABASE_URL, migrations);
  try {
    const { db } = database;
    const model = createModel(db, config);
    await refuseSeededSecretsInProduction(config, model.users);

    const app = await createHttpApp(config, options, database);
    pinForwardedHeaders(app, config.PUBLIC_URL);
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    await app.register(cookie);

    await model.keyStore.ensureKeys();
    const providers = await startProviders(app, config, model, db, options.keyPollMs ?? 10_000);
    mountProvider(app, providers.handler);
    const { users, roles, clients, resources, consents, keyStore, audit } = model;
    const accountMail = createAccountMailService(app, { config, db, users, consents, audit, providers });
    const csrf = createCsrf(config.COOKIE_SECRET, { secure: config.PUBLIC_URL.startsWith('https:') });
    const signIn = createSignIn({
      db,
      metricsRegistry: app.metrics.registry,
      maxFailures: config.LOGIN_MAX_FAILURES,
      lockMinutes: config.LOGIN_LOCK_MINUTES,
      ipLimitPerMinute: config.LOGIN_IP_LIMIT_PER_MINUTE,
    });
    const interactions = signInRoutes(app, { config, model, providers, csrf, accountMail, signIn, db });
    const passkeys = passkeyService(config, model, signIn);
    passkeyRoutes(app, { ...interactions, passkeys });
    passkeyFactorRoutes(app, { ...interactions, passkeys });
    if (accountMail) accountLinkRoutes(app, { accountMail, csrf });
    await adminRoutes(app, {
      accountMail,
      config,
      db,
      users,
      roles,
      clients,
      resources,
      consents,
      keyStore,
      providers,
      audit,
      tokenExchange: model.tokenExchangePolicies,
      factors: adminFactors(model, passkeys),
      federation: model.federation,
    });
    await accountRoutes(app, {
      config,
      db,
      users,
      consents,
      keyStore,
      providers,
      audit,
      signIn,
      mfa: model.mfa,
      passkeys,
      federation: model.federation,
    });
    metricsAlias(app);
    stopOnClose(app, { database, providers, audit });
    return { app, database, providers };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Passkeys for sign-in, the second factor and the account API; one instance shares the sign-in limits. */
function passkeyService(config: OAuthServiceConfig, model: Model, signIn: SignIn) {
  return createPasskeyService({
    repository: model.passkeys,
    users: model.users,
    limits: signIn.limits,
    publicUrl: config.PUBLIC_URL,
    audit: model.audit,
    // A registered passkey is an enrolled second factor, like a confirmed TOTP.
    onRegistered: (userId) => model.mfa.repository.setEnrolmentRequired(userId, false),
  });
}

/** Users' second factors as the admin API manages them. */
function adminFactors(model: Model, passkeys: PasskeyService): AdminFactors {
  return {
    mfa: model.mfa.service,
    policy: model.mfa.repository,
    passkeys: { list: passkeys.list, removeAllOf: model.passkeys.removeAllOf },
  };
}

interface InteractionWiring {
  config: OAuthServiceConfig;
  model: Model;
  providers: ProviderHolder;
  csrf: Csrf;
  accountMail: AccountMail | undefined;
  /** Shared with the account API: one lockout and one per-address limit for every password check. */
  signIn: SignIn;
}

/** The sign-in, consent and second-factor pages, and the sign-in through upstream identity providers. */
function signInRoutes(app: App, wiring: InteractionWiring & { db: Kysely<OAuthSchema> }): InteractionDeps {
  const interactions = interactionDeps(wiring);
  interactionRoutes(app, interactions);
  const { config, db, model } = wiring;
  const { federation, users, roles } = model;
  federationRoutes(app, { config, db, federation, users, roles, interactions });
  return interactions;
}

function interactionDeps({
  model,
  providers,
  csrf,
  accountMail,
  signIn,
}: InteractionWiring): InteractionDeps {
  const { users } = model;
  return {
    provider: providers.provider,
    csrf,
    forgotPasswordUrl: accountMail ? FORGOT_PASSWORD_PATH : undefined,
    signIn,
    users: {
      get: (id) => users.findById(id),
      setPassword: (id, password, opts) => users.setPassword(id, password, opts),
    },
    permissionsOf: model.scopesGrantableTo,
    resources: model.resources,
    consents: model.consents,
    audit: model.audit,
    isFirstParty: (clientId) => model.clientStore.isFirstParty(clientId),
    mfa: model.mfa.service,
    mfaPolicy: model.mfa.policy,
    hasPasskey: model.userHasPasskey,
    upstreamButtons: upstreamButtons(model.federation),
  };
}

/** The scrape path docs/operations.md gives for oauth-service; same registry as /metrics. */
function metricsAlias(app: App) {
  app.get('/api/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
    reply.type(app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
}

/** Expired tokens are swept while the service runs; on close, timers stop and batched audit rows land. */
function stopOnClose(
  app: App,
  {
    database,
    providers,
    audit,
  }: { database: Database<OAuthSchema>; providers: ProviderHolder; audit: AuditLog },
) {
  const cleanup = startExpiredCleanup(database.db, {
    intervalMs: 60_000,
    onError: (error) => app.log.error({ err: error }, 'expired token cleanup failed'),
  });
  app.addHook('onClose', async () => {
    providers.stop();
    cleanup.stop();
    await audit.flush();
    await database.close();
  });
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
