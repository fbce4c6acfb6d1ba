import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTempDatabase } from '@platform/db/temp-database';
import { freePort, type SpawnedService, spawnService } from '@platform/testing';
import * as client from 'openid-client';
import { startService } from '../service.ts';
import { Browser, formAction, hiddenField } from './browser.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const OAUTH_DIR = join(ROOT, 'apps/oauth-service');
export const TEST_SERVICE_DIR = join(ROOT, 'apps/test-service');

export const ADMIN = { login: 'admin', password: 'e2e-correct-horse-battery-7' };
export const PORTAL_SECRET = 'e2e-portal-secret-0123456789abcdefghijklmnop';
export const PORTAL_REDIRECT = 'http://127.0.0.1:9/admin/auth/callback';

export interface OAuthServer {
  issuer: string;
  service: SpawnedService;
  /** The flow-service machine client's secret, printed once by the seed. */
  machineSecret: string;
  /** What `db:seed` printed (generated secrets appear here, once). */
  seedOutput: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

function cli(task: string, env: Record<string, string>): string {
  const result = spawnSync(process.execPath, ['src/db/cli.ts', task], {
    cwd: OAUTH_DIR,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`db ${task} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Migrates and seeds `databaseUrl` (first time only), then starts oauth-service on it as `node src/main.ts`. */
export async function startOAuthServer(
  databaseUrl: string,
  options: { issuer?: string; seed?: boolean; env?: Record<string, string> } = {},
): Promise<OAuthServer> {
  const port = await freePort();
  const issuer = options.issuer ?? `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: issuer,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_PASSWORD: ADMIN.password,
    OAUTH_CLIENT_SECRET: PORTAL_SECRET,
    ADMIN_PORTAL_URL: 'http://127.0.0.1:9/admin',
    // Keep lockout tests quick; per-IP limits high enough not to interfere with the rest.
    LOGIN_MAX_FAILURES: '3',
    LOGIN_IP_LIMIT_PER_MINUTE: '1000',
    // An empty value unsets a default above (the service treats empty variables as unset).
    ...options.env,
  };
  let seedOutput = '';
  if (options.seed !== false) {
    cli('push', env);
    seedOutput = cli('seed', env);
  }
  const machineSecret = /client "flow-service" secret \(shown once\): (\S+)/.exec(seedOutput)?.[1] ?? '';
  const service = await spawnService({
    cwd: OAUTH_DIR,
    entry: 'src/main.ts',
    env,
    readyPath: '/ready',
    timeoutMs: 30_000,
  });
  return { issuer, service, machineSecret, seedOutput, env, stop: async () => void (await service.stop()) };
}

export async function discover(
  server: OAuthServer,
  clientId: string,
  auth: client.ClientAuth,
  metadata: Partial<client.ClientMetadata> = {},
) {
  return client.discovery(new URL(server.issuer), clientId, metadata, auth, {
    execute: [client.allowInsecureRequests],
  });
}

export const portalConfig = (server: OAuthServer) =>
  discover(server, 'admin-portal', client.ClientSecretBasic(PORTAL_SECRET));

/**
 * Sends a browser through authorization: sign-in page, (password change), consent, back to the client.
 * Returns the callback URL the provider redirected to.
 */
export async function authorize(
  server: OAuthServer,
  authorizationUrl: URL,
  credentials: { login: string; password: string } = ADMIN,
  browser = new Browser(),
): Promise<{ callback: URL; browser: Browser }> {
  let { page, leftTo } = await browser.follow(authorizationUrl.toString(), server.issuer);
  for (let step = 0; step < 5 && !leftTo; step += 1) {
    const html = page.body;
    const csrf = hiddenField(html, 'csrf');
    if (html.includes('/login"')) {
      ({ page, leftTo } = await browser.follow(formAction(html, page.url, '/login'), server.issuer, {
        form: { csrf, login: credentials.login, password: credentials.password },
      }));
    } else if (html.includes('/confirm"')) {
      ({ page, leftTo } = await browser.follow(formAction(html, page.url, '/confirm'), server.issuer, {
        form: { csrf },
      }));
    } else {
      throw new Error(`unexpected page (${page.status}):\n${html.slice(0, 800)}`);
    }
  }
  if (!leftTo)
    throw new Error(
      `authorization did not return to the client; last page (${page.status}):\n${page.body.slice(0, 800)}`,
    );
  return { callback: new URL(leftTo), browser };
}

/** The portal's authorization URL (scope openid unless `params` say otherwise) with a new PKCE verifier. */
export async function portalAuthorizationUrl(config: client.Configuration, params: Record<string, string>) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: PORTAL_REDIRECT,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url, verifier };
}

/** A full authorization-code + PKCE flow for the admin portal, signed in as `credentials`; returns the token
 * response. */
export async function codeFlow(
  server: OAuthServer,
  config: client.Configuration,
  params: Record<string, string> = {},
  credentials: { login: string; password: string } = ADMIN,
) {
  const state = client.randomState();
  const { url, verifier } = await portalAuthorizationUrl(config, {
    scope: 'openid profile offline_access test:read',
    state,
    resource: `${server.issuer}/test`,
    prompt: 'consent',
    ...params,
  });
  const { callback } = await authorize(server, url, credentials);
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}

/** The seeded administrator's access token for the admin API (admin:read admin:write). */
export async function adminAccessToken(server: OAuthServer, config: client.Configuration): Promise<string> {
  const tokens = await codeFlow(server, config, {
    resource: `${server.issuer}/api/admin`,
    scope: 'openid admin:read admin:write',
  });
  return tokens.access_token;
}

/** Calls the admin API at `path` with `token`, sending `body` as JSON when there is one. */
export function adminFetch(
  server: OAuthServer,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  return fetch(`${server.issuer}/api/admin${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
}

/** Creates a user through the admin API and gives it the role `roleName`; returns its id. */
export async function createUserWithRole(
  server: OAuthServer,
  admin: string,
  user: { login: string; password: string; email: string },
  roleName = 'user',
): Promise<string> {
  const created = await adminFetch(server, admin, '/users', {
    method: 'POST',
    body: { username: user.login, email: user.email, password: user.password },
  });
  if (created.status !== 201)
    throw new Error(`user not created (${created.status}): ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const roles = (await (await adminFetch(server, admin, '/roles')).json()) as {
    items: Array<{ id: string; name: string }>;
  };
  const role = roles.items.find((r) => r.name === roleName)!;
  const assigned = await adminFetch(server, admin, `/users/${id}/roles/${role.id}`, { method: 'PUT' });
  if (assigned.status !== 204) throw new Error(`role ${roleName} not assigned (${assigned.status})`);
  return id;
}

/**
 * test-service on a temporary SQLite database, accepting tokens of `issuer` for `${issuer}/test` whose keys
 * it reads at `jwksUrl`; `stop` stops it and drops its database.
 */
export async function startTestService(issuer: string, jwksUrl = `${issuer}/oauth/jwks`) {
  const db = await createTempDatabase('sqlite');
  try {
    const service = await startService(TEST_SERVICE_DIR, {
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OAUTH_ISSUER: issuer,
      OAUTH_JWKS_URL: jwksUrl,
      TOKEN_AUDIENCE: `${issuer}/test`,
    });
    const stop = async () => {
      await service.stop();
      await db.drop();
    };
    return { url: service.url, port: service.port, stop };
  } catch (error) {
    await db.drop();
    throw error;
  }
}
