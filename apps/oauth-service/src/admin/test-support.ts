import { createHash, randomBytes } from 'node:crypto';
import { createDatabase, migrateToLatest } from '@platform/db';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { createRolesRepository } from '../accounts/roles.repository.ts';
import { createUsersRepository } from '../accounts/users.repository.ts';
import { buildOAuthService, type OAuthService } from '../app.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createClientsRepository } from '../clients/clients.repository.ts';
import { loadOAuthServiceConfig, type OAuthServiceConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { migrations } from '../db/migrations/index.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { seed } from '../db/seed.ts';

// Test support for the admin API: the real service (buildOAuthService) on a migrated and seeded database,
// driven with app.inject, and real tokens obtained from the service itself: client_credentials for a machine
// client with the admin scopes, and the authorization code flow (sign-in and consent pages, with a cookie
// jar) for user tokens.

export const PUBLIC_URL = 'http://localhost:8080';
export const ADMIN_RESOURCE = `${PUBLIC_URL}/api/admin`;
export const ADMIN = { login: 'admin', password: 'correct-horse-battery-staple-7' };
export const PORTAL = {
  clientId: 'admin-portal',
  secret: 'admin-test-portal-secret-0123456789abcdefghij',
  redirectUri: 'http://127.0.0.1:9/admin/auth/callback',
};
/** Passes the password policy for any test username. */
export const PASSWORD = 'violet-harbor-lantern-9';

const FORM = 'application/x-www-form-urlencoded';
export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface MachineClient {
  clientId: string;
  secret: string;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  scope?: string;
  [key: string]: unknown;
}

/** A browser for app.inject: keeps cookies, follows redirects inside the service, submits the pages' forms. */
export class InjectBrowser {
  readonly cookies = new Map<string, string>();
  private readonly app: FastifyInstance;
  /** The client address every request comes from (request.ip). */
  private readonly remoteAddress: string | undefined;
  constructor(app: FastifyInstance, remoteAddress?: string) {
    this.app = app;
    this.remoteAddress = remoteAddress;
  }

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const target = new URL(url, PUBLIC_URL);
    const response = await this.app.inject({
      method,
      url: `${target.pathname}${target.search}`,
      headers: {
        host: new URL(PUBLIC_URL).host,
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': FORM } : {}),
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
    });
    for (const cookie of response.cookies as Array<{ name: string; value: string; expires?: Date }>) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  /** Follows redirects until a page is shown, or one leads to the client's redirect URI (`leftTo`). */
  async follow(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    let response = await this.request(method, url, form);
    for (let hops = 0; hops < 10; hops += 1) {
      const location = response.headers.location;
      if (response.statusCode < 300 || response.statusCode > 399 || typeof location !== 'string')
        return { response };
      // A redirect away from the service is the client's redirect URI (the portal's or the account console's).
      if (/^https?:/.test(location) && !location.startsWith(PUBLIC_URL))
        return { response, leftTo: new URL(location) };
      response = await this.request('GET', location);
    }
    throw new Error('too many redirects');
  }
}

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const action = (html: string, ending: string) =>
  new RegExp(`action="([^"]*/${ending})"`).exec(html)?.[1] ?? '';

/** The failing fields of a validation problem, as `in:path`. */
export const failedFields = (response: LightMyRequestResponse) =>
  (response.json().errors as Array<{ in: string; path: string }>).map((e) => `${e.in}:${e.path}`);

export const isLoginPage = (response: LightMyRequestResponse) =>
  response.statusCode === 200 && action(response.payload, 'login') !== '';

/** The service's configuration for tests: a fixed admin and portal, sign-in limits out of the way. */
function harnessConfig(url: string, env: Record<string, string> = {}): OAuthServiceConfig {
  return loadOAuthServiceConfig({
    DATABASE_URL: url,
    PUBLIC_URL,
    LOG_LEVEL: 'silent',
    ADMIN_PASSWORD: ADMIN.password,
    OAUTH_CLIENT_SECRET: PORTAL.secret,
    ADMIN_PORTAL_URL: 'http://127.0.0.1:9/admin',
    LOGIN_IP_LIMIT_PER_MINUTE: '100000',
    LOGIN_MAX_FAILURES: '1000',
    ...env,
  });
}

/** Migrates and seeds the database, and adds a machine client holding the admin scopes. */
async function prepareDatabase(url: string, config: OAuthServiceConfig): Promise<MachineClient> {
  const setup = createDatabase<OAuthSchema>(url);
  try {
    await migrateToLatest(setup, migrations);
    await seed(setup, config, () => {});
    // The seeded flow-service client has no admin scopes; this one does.
    const { client, clientSecret } = await createClientsRepository(
      setup.db,
      createSecretBox(config.ENCRYPTION_KEY),
    ).create({
      name: 'admin API test machine',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      // test:read only to show that a token for another audience is refused.
      scope: ['admin:read', 'admin:write', 'test:read'],
    });
    return { clientId: client.client_id, secret: clientSecret! };
  } finally {
    await setup.close();
  }
}

/** The portal's authorization request URL, with `params` over its defaults. */
export function authorizeUrl(params: Record<string, string>): string {
  const authorize = new URL('/oauth/authorize', PUBLIC_URL);
  for (const [key, value] of Object.entries({
    client_id: PORTAL.clientId,
    response_type: 'code',
    redirect_uri: PORTAL.redirectUri,
    ...params,
  }))
    authorize.searchParams.set(key, value);
  return authorize.toString();
}

/** The code exchange of `client` (the portal unless named) at the token endpoint: the raw response. */
export function exchangeCode(
  app: FastifyInstance,
  code: string,
  verifier: string,
  client: { clientId: string; secret: string; redirectUri: string } = PORTAL,
) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(client.clientId, client.secret), 'content-type': FORM },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
}

/** Signs in and consents on the pages `step` shows, until the flow leaves for the client's redirect URI. */
export async function completeAuthorization(
  browser: InjectBrowser,
  credentials: { login: string; password: string },
  first: Awaited<ReturnType<InjectBrowser['follow']>>,
) {
  let step = first;
  for (let i = 0; i < 5 && !step.leftTo; i += 1) {
    const html = step.response.payload;
    const csrf = field(html, 'csrf');
    if (action(html, 'login')) {
      step = await browser.follow('POST', action(html, 'login'), { csrf, ...credentials });
    } else if (action(html, 'confirm')) {
      step = await browser.follow('POST', action(html, 'confirm'), { csrf });
    } else {
      throw new Error(`unexpected page ${step.response.statusCode}: ${html.slice(0, 500)}`);
    }
  }
  const code = step.leftTo?.searchParams.get('code');
  if (!code) throw new Error(`no authorization code: ${step.leftTo ?? step.response.payload.slice(0, 500)}`);
  return code;
}

/** Tokens from the service's own endpoints: client_credentials, the portal's code flow, refresh. */
function tokenHelpers(app: FastifyInstance, machine: MachineClient) {
  const portal: MachineClient = { clientId: PORTAL.clientId, secret: PORTAL.secret };

  async function tokenRequest(
    client: MachineClient,
    form: Record<string, string>,
    request: { headers?: Record<string, string>; remoteAddress?: string } = {},
  ) {
    return app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(client.clientId, client.secret),
        'content-type': FORM,
        ...request.headers,
      },
      payload: new URLSearchParams(form).toString(),
      ...(request.remoteAddress ? { remoteAddress: request.remoteAddress } : {}),
    });
  }

  /** A client_credentials token for the admin API, from the service's own token endpoint. */
  async function clientToken(
    scope = 'admin:read admin:write',
    client: MachineClient = machine,
    resource = ADMIN_RESOURCE,
  ): Promise<string> {
    const response = await tokenRequest(client, { grant_type: 'client_credentials', resource, scope });
    if (response.statusCode !== 200) throw new Error(`token request failed: ${response.payload}`);
    return (response.json() as TokenSet).access_token;
  }

  /**
   * A user's tokens through the authorization code flow of the admin portal: sign-in page, consent page,
   * code exchange. Returns the browser too, whose cookies hold the user's session.
   */
  async function userTokens(
    credentials: { login: string; password: string },
    params: { scope?: string; resource?: string } = {},
    browser = new InjectBrowser(app),
  ): Promise<{ tokens: TokenSet; browser: InjectBrowser }> {
    const verifier = randomBytes(32).toString('base64url');
    const url = authorizeUrl({
      scope: params.scope ?? 'openid offline_access admin:read admin:write',
      resource: params.resource ?? ADMIN_RESOURCE,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: randomBytes(8).toString('hex'),
      prompt: 'consent',
    });
    const code = await completeAuthorization(browser, credentials, await browser.follow('GET', url));
    const response = await tokenRequest(portal, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: PORTAL.redirectUri,
      code_verifier: verifier,
    });
    if (response.statusCode !== 200) throw new Error(`code exchange failed: ${response.payload}`);
    return { tokens: response.json() as TokenSet, browser };
  }

  /** Uses a refresh token at the token endpoint; returns the raw response. */
  /** The console's refresh; `request` adds headers (a trusted proxy's forwarding) or another peer address. */
  function refresh(refreshToken: string, request: Parameters<typeof tokenRequest>[2] = {}) {
    return tokenRequest(portal, { grant_type: 'refresh_token', refresh_token: refreshToken }, request);
  }

  return { clientToken, userTokens, refresh };
}

/** Starts a new authorization in `browser`: the first page shown (sign-in when there is no session). */
async function authorizeAgain(browser: InjectBrowser) {
  const url = authorizeUrl({
    scope: 'openid',
    code_challenge: createHash('sha256').update('x'.repeat(43)).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'again',
  });
  return browser.follow('GET', url);
}

/** Opens a new sign-in page in `browser` and posts one attempt to it; returns the form's response. */
async function postSignIn(browser: InjectBrowser, login: string, password: string) {
  const html = (await authorizeAgain(browser)).response.payload;
  return browser.request('POST', action(html, 'login'), { csrf: field(html, 'csrf'), login, password });
}

/** Users with roles and the audit log, straight through the repositories. */
function accountHelpers(db: Kysely<OAuthSchema>) {
  const users = createUsersRepository(db);
  const roles = createRolesRepository(db);
  const audit = createAuditLog(db);

  /** Creates an active user with `roleNames`. */
  async function createUser(username: string, roleNames: string[] = []) {
    const user = await users.create({ username, email: `${username}@example.test`, password: PASSWORD });
    for (const name of roleNames) {
      const role = (await roles.findRoleByName(name)) ?? (await roles.createRole({ name }));
      await roles.assignRole(user.id, role.id);
    }
    return user;
  }

  /** The newest audit events of `action`. */
  async function auditOf(action: string) {
    return (await audit.query({ action, limit: 50 })).items;
  }

  return { users, roles, createUser, auditOf };
}

export async function startAdminHarness(
  url: string,
  options: { keyPollMs?: number; env?: Record<string, string> } = {},
) {
  const config = harnessConfig(url, options.env);
  const machine = await prepareDatabase(url, config);
  const service: OAuthService = await buildOAuthService(config, { keyPollMs: options.keyPollMs ?? 60_000 });
  const { app } = service;
  const db = service.database.db;
  return {
    app,
    service,
    config,
    db,
    machine,
    ...tokenHelpers(app, machine),
    authorizeAgain,
    postSignIn,
    ...accountHelpers(db),
    close: () => app.close(),
  };
}

export type AdminHarness = Awaited<ReturnType<typeof startAdminHarness>>;

export interface AdminSuite {
  /** The suite's harness, started before its first test. */
  h: AdminHarness;
  /** An administrator's bearer headers. */
  auth: Record<string, string>;
  /** A request with the administrator's headers (or `headers`), with `payload` as its JSON body. */
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

/** Starts a harness on `temp`'s database for the suite, with an administrator's token; closes it after. */
export function adminSuite(temp: () => { url: string }): AdminSuite {
  const suite = {
    call: (method, url, payload, headers = suite.auth) =>
      suite.h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) }),
  } as AdminSuite;
  beforeAll(async () => {
    suite.h = await startAdminHarness(temp().url);
    suite.auth = bearer(await suite.h.clientToken());
  });
  afterAll(() => suite.h?.close());
  return suite;
}
