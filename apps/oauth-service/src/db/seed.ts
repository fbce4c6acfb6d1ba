import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, StartupError } from '@platform/config';
import type { Database } from '@platform/db';
import type { Kysely } from 'kysely';
import { checkPasswordPolicy } from '../accounts/passwords.ts';
import { createRolesRepository } from '../accounts/roles.repository.ts';
import { createUsersRepository } from '../accounts/users.repository.ts';
import type { ClientInput } from '../clients/client-rules.ts';
import { createClientsRepository } from '../clients/clients.repository.ts';
import type { OAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { requireMfaForSeededAdminRole } from '../mfa/seed.ts';
import { createResourceServersRepository } from '../resources/resource-servers.repository.ts';
import type { OAuthSchema } from './schema.ts';
import { CLIENT_IDS, RESOURCE_SERVERS, ROLES } from './seed-data.ts';
import { seedExchangePolicies } from './seed-token-exchange.ts';
import { BOOTSTRAP_ADMIN, FIRST_PARTY_MARKED, getSetting, setSettingOnce } from './settings.ts';

type SeedConfig = Pick<
  OAuthServiceConfig,
  | 'NODE_ENV'
  | 'PUBLIC_URL'
  | 'ENCRYPTION_KEY'
  | 'ADMIN_USERNAME'
  | 'ADMIN_EMAIL'
  | 'ADMIN_PASSWORD'
  | 'OAUTH_CLIENT_SECRET'
  | 'ADMIN_PORTAL_URL'
  | 'FLOW_CLIENT_SECRET'
  | 'FLOW_CLIENT_SECRET_FILE'
  | 'ACCOUNT_CLIENT_SECRET'
  | 'ACCOUNT_CONSOLE_URL'
>;

/** Hands a generated flow-service secret to flow-service through the file both are configured with. */
function writeSecretFile(path: string, secret: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
}

const clientExists = async (db: Kysely<OAuthSchema>, clientId: string) =>
  (await db
    .selectFrom('clients')
    .select('client_id')
    .where('client_id', '=', clientId)
    .executeTakeFirst()) !== undefined;

/**
 * Whether the bootstrap administrator is still to be created: never once it was (the marker), nor in a
 * database that already has users (seeded before the marker existed), so deleting `admin` is final.
 */
async function adminBootstrapPending(db: Kysely<OAuthSchema>): Promise<boolean> {
  if ((await getSetting(db, BOOTSTRAP_ADMIN)) !== undefined) return false;
  const anyone = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyone) await setSettingOnce(db, BOOTSTRAP_ADMIN, 'existing users');
  return !anyone;
}

/**
 * An ADMIN_PASSWORD the password policy refuses stops the seed before it changes anything, with one line
 * naming the variable and the rule: the operator fixes the variable, not a stack trace.
 */
function refuseUnusableAdminPassword(config: SeedConfig): void {
  if (!config.ADMIN_PASSWORD) return;
  const context = { username: config.ADMIN_USERNAME, email: config.ADMIN_EMAIL };
  const problems = checkPasswordPolicy(config.ADMIN_PASSWORD, context);
  if (problems.length === 0) return;
  const named = problems.map((problem) =>
    problem.includes('username')
      ? `${problem} (ADMIN_USERNAME "${config.ADMIN_USERNAME}")`
      : problem.includes('email')
        ? `${problem} (ADMIN_EMAIL "${config.ADMIN_EMAIL}")`
        : problem,
  );
  throw new ConfigError(`invalid configuration: ADMIN_PASSWORD: ${named.join('; ')}`, ['ADMIN_PASSWORD']);
}

/**
 * Production logs are read by more people than secrets should be: there the seed never generates a secret it
 * would print. It refuses up front, before changing anything, naming what to set. A flow-service secret handed
 * over through FLOW_CLIENT_SECRET_FILE is written to that file only.
 */
async function refuseGeneratedSecretsInProduction(db: Kysely<OAuthSchema>, config: SeedConfig) {
  if (config.NODE_ENV !== 'production') return;
  const missing: string[] = [];
  if (!config.ADMIN_PASSWORD && (await adminBootstrapPending(db))) missing.push('ADMIN_PASSWORD');
  if (!config.OAUTH_CLIENT_SECRET && !(await clientExists(db, CLIENT_IDS.adminPortal)))
    missing.push('OAUTH_CLIENT_SECRET');
  if (!config.ACCOUNT_CLIENT_SECRET && !(await clientExists(db, CLIENT_IDS.accountConsole)))
    missing.push('ACCOUNT_CLIENT_SECRET');
  if (
    !config.FLOW_CLIENT_SECRET &&
    !config.FLOW_CLIENT_SECRET_FILE &&
    !(await clientExists(db, CLIENT_IDS.flowService))
  )
    missing.push('FLOW_CLIENT_SECRET (or FLOW_CLIENT_SECRET_FILE)');
  if (missing.length > 0) {
    throw new StartupError(
      `seed: ${missing.join(', ')} must be set when NODE_ENV=production: the seed does not generate and print secrets in production`,
    );
  }
}

type Repositories = {
  db: Kysely<OAuthSchema>;
  roles: ReturnType<typeof createRolesRepository>;
  users: ReturnType<typeof createUsersRepository>;
  clients: ReturnType<typeof createClientsRepository>;
};

async function seedResourceServers(db: Kysely<OAuthSchema>, config: SeedConfig): Promise<void> {
  const resources = createResourceServersRepository(db);
  for (const server of RESOURCE_SERVERS) {
    await resources.ensure({
      name: server.name,
      identifier: `${config.PUBLIC_URL}${server.path}`,
      description: server.description,
      scopes: server.scopes.map((s) => ({ ...s })),
    });
  }
}

/** Each role with its permissions, a permission described like the scope it is named after. */
async function seedRoles({ roles }: Repositories, created: string[]): Promise<void> {
  const scopeDescriptions = new Map<string, string>(
    RESOURCE_SERVERS.flatMap((s) => s.scopes.map((x) => [x.name, x.description] as const)),
  );
  for (const role of ROLES) {
    const existing = await roles.findRoleByName(role.name);
    const roleRecord =
      existing ?? (await roles.createRole({ name: role.name, description: role.description }));
    if (!existing) created.push(`role ${role.name}`);
    for (const name of role.permissions) {
      const permission =
        (await roles.findPermissionByName(name)) ??
        (await roles.createPermission({ name, description: scopeDescriptions.get(name) ?? name }));
      await roles.grantPermission(roleRecord.id, permission.id);
    }
  }
}

async function seedAdmin(
  { db, users, roles }: Repositories,
  config: SeedConfig,
  created: string[],
  print: (line: string) => void,
): Promise<void> {
  if (!(await adminBootstrapPending(db)) || (await users.findByLogin(config.ADMIN_USERNAME))) return;
  const generated = !config.ADMIN_PASSWORD;
  const password = config.ADMIN_PASSWORD ?? `${randomBytes(12).toString('base64url')}-Aa1`;
  const admin = await users.create({
    username: config.ADMIN_USERNAME,
    email: config.ADMIN_EMAIL,
    displayName: 'Platform administrator',
    password,
    // A generated first password must be changed at first sign-in; one the operator chose need not.
    mustChangePassword: generated,
  });
  const adminRole = await roles.findRoleByName('admin');
  if (adminRole) await roles.assignRole(admin.id, adminRole.id);
  await setSettingOnce(db, BOOTSTRAP_ADMIN, admin.id);
  created.push(`user ${config.ADMIN_USERNAME}`);
  if (generated)
    print(
      `oauth-service: admin account "${config.ADMIN_USERNAME}", first password (shown once, change it at first sign-in): ${password}`,
    );
}

/** Where both consoles receive logout tokens, under their base URL (@platform/web-session). */
const BACKCHANNEL_LOGOUT_PATH = '/auth/backchannel-logout';

type ClientSeed = ClientInput & { clientId: string; clientSecret?: string; show: boolean };

/** The account console: every user's own pages, first-party, reaching only the `account` API. */
function accountConsoleSeed(config: SeedConfig): ClientSeed {
  const base = config.ACCOUNT_CONSOLE_URL;
  return {
    clientId: CLIENT_IDS.accountConsole,
    name: 'Account',
    type: 'confidential',
    tokenEndpointAuthMethod: 'client_secret_basic',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [`${base}/auth/callback`],
    postLogoutRedirectUris: [`${base}/`],
    backchannelLogoutUri: `${base}${BACKCHANNEL_LOGOUT_PATH}`,
    firstParty: true,
    scope: ['openid', 'profile', 'email', 'offline_access', 'account'],
    ...(config.ACCOUNT_CLIENT_SECRET ? { clientSecret: config.ACCOUNT_CLIENT_SECRET } : {}),
    show: !config.ACCOUNT_CLIENT_SECRET,
  };
}

/**
 * The platform's own clients: the admin portal, the account console, the CLI (public, DPoP) and
 * flow-service's machine client. A database seeded before one of them existed gets it on its next seed.
 */
function clientSeeds(config: SeedConfig): ClientSeed[] {
  const portal = config.ADMIN_PORTAL_URL;
  return [
    {
      clientId: CLIENT_IDS.adminPortal,
      name: 'Platform console',
      type: 'confidential',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [`${portal}/auth/callback`],
      postLogoutRedirectUris: [`${portal}/`],
      // Its sessions end when the user's sign-in session here ends (OIDC Back-Channel Logout, ADR 0038).
      backchannelLogoutUri: `${portal}${BACKCHANNEL_LOGOUT_PATH}`,
      // The platform's own console: its operators are not asked to consent to it, nor to sign out twice.
      firstParty: true,
      scope: [
        'openid',
        'profile',
        'email',
        'offline_access',
        'admin:read',
        'admin:write',
        'kline:read',
        'flow:read',
        'flow:write',
        'flow:run',
        'flow:approve',
        'test:read',
      ],
      ...(config.OAUTH_CLIENT_SECRET ? { clientSecret: config.OAUTH_CLIENT_SECRET } : {}),
      show: !config.OAUTH_CLIENT_SECRET,
    },
    accountConsoleSeed(config),
    {
      clientId: CLIENT_IDS.cli,
      name: 'Platform CLI and console (public)',
      type: 'public',
      grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      redirectUris: ['http://127.0.0.1/callback'],
      applicationType: 'native',
      scope: ['openid', 'profile', 'offline_access', 'test:read', 'test:write', 'kline:read', 'flow:read'],
      requireDpop: true,
      show: false,
    },
    {
      clientId: CLIENT_IDS.flowService,
      name: 'flow-service (machine)',
      type: 'confidential',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['client_credentials'],
      scope: ['test:read', 'test:write', 'kline:read', 'kline:write', 'admin:authority'],
      ...(config.FLOW_CLIENT_SECRET ? { clientSecret: config.FLOW_CLIENT_SECRET } : {}),
      show: !config.FLOW_CLIENT_SECRET,
    },
  ];
}

/**
 * A console client seeded before clients had the flag becomes first-party on the next seed, once per
 * database (the marker): an administrator who later unticks it keeps that choice.
 */
async function markSeededFirstParty(
  { db, clients }: Repositories,
  config: SeedConfig,
  created: string[],
): Promise<void> {
  if ((await getSetting(db, FIRST_PARTY_MARKED)) !== undefined) return;
  const firstParty = clientSeeds(config)
    .filter((seeded) => seeded.firstParty)
    .map((seeded) => seeded.clientId);
  for (const clientId of firstParty) {
    if (!(await clientExists(db, clientId)) || (await clients.get(clientId)).first_party) continue;
    await clients.update(clientId, { firstParty: true });
    created.push(`first-party flag on client ${clientId}`);
  }
  await setSettingOnce(db, FIRST_PARTY_MARKED, firstParty.join(' '));
}

/**
 * A console client seeded before back-channel logout gets its URI on the next seed; one whose URI an
 * administrator removed (kept as null) or changed keeps that choice.
 */
async function registerBackchannelLogout(
  { db, clients }: Repositories,
  config: SeedConfig,
  created: string[],
): Promise<void> {
  for (const seeded of clientSeeds(config)) {
    if (!seeded.backchannelLogoutUri) continue;
    const row = await db
      .selectFrom('clients')
      .select('metadata')
      .where('client_id', '=', seeded.clientId)
      .executeTakeFirst();
    if (!row || 'backchannel_logout_uri' in (JSON.parse(row.metadata) as object)) continue;
    await clients.update(seeded.clientId, { backchannelLogoutUri: seeded.backchannelLogoutUri });
    created.push(`back-channel logout URI on client ${seeded.clientId}`);
  }
}

async function seedClients(
  { db, clients }: Repositories,
  config: SeedConfig,
  created: string[],
  print: (line: string) => void,
): Promise<void> {
  const production = config.NODE_ENV === 'production';
  for (const { show, ...input } of clientSeeds(config)) {
    const exists = await clientExists(db, input.clientId);
    const secretFile =
      input.clientId === CLIENT_IDS.flowService && !config.FLOW_CLIENT_SECRET
        ? config.FLOW_CLIENT_SECRET_FILE
        : undefined;
    if (exists) {
      // A client seeded before the file was configured (or a deleted file): nobody can hand flow-service the
      // old secret, so a new one is issued into the file.
      if (secretFile && !existsSync(secretFile)) {
        const { clientSecret } = await clients.rotateSecret(input.clientId);
        writeSecretFile(secretFile, clientSecret);
        created.push(`new secret for client ${input.clientId} in ${secretFile}`);
      }
      continue;
    }
    const { clientSecret } = await clients.create(input);
    created.push(`client ${input.clientId}`);
    if (secretFile && clientSecret) writeSecretFile(secretFile, clientSecret);
    if (show && clientSecret && !production)
      print(`oauth-service: client "${input.clientId}" secret (shown once): ${clientSecret}`);
  }
}

/**
 * Idempotent: creates what is missing and leaves what exists alone. Generated secrets (the admin's first
 * password, the admin-portal secret) are printed once, when they are created, and never stored in plaintext;
 * in production they are never generated (see refuseGeneratedSecretsInProduction). The bootstrap admin is
 * created once per database, and never again.
 */
export async function seed(
  database: Database<OAuthSchema>,
  config: SeedConfig,
  print: (line: string) => void = console.log,
): Promise<string> {
  const { db } = database;
  const repositories: Repositories = {
    db,
    roles: createRolesRepository(db),
    users: createUsersRepository(db),
    clients: createClientsRepository(db, createSecretBox(config.ENCRYPTION_KEY)),
  };
  const created: string[] = [];
  refuseUnusableAdminPassword(config);
  await refuseGeneratedSecretsInProduction(db, config);
  await seedResourceServers(db, config);
  await seedRoles(repositories, created);
  await seedAdmin(repositories, config, created, print);
  await seedClients(repositories, config, created, print);
  await markSeededFirstParty(repositories, config, created);
  await seedExchangePolicies(db, repositories.clients, config, created);
  await registerBackchannelLogout(repositories, config, created);
  const adminMfa = await requireMfaForSeededAdminRole(db, config.NODE_ENV);
  if (adminMfa) created.push(adminMfa);
  return created.length ? `seeded ${created.join(', ')}` : 'seed data already present';
}
