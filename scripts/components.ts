// The platform's components as the start-up scripts know them. A component is listed here only once it
// exists (no skeletons): the gateway, oauth-service, the consoles, kline and flow join as they land.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

export interface Component {
  name: string;
  /** Folder under the repo root. */
  dir: string;
  /** Entry point run with `node` (TypeScript runs directly on Node 24), unless `command` is given. */
  entry: string;
  /** Node/V8 flags before the entry (the same flags as the image's NODE_FLAGS build argument in docker-compose.yml). */
  nodeFlags?: string[];
  /** A native program instead (the gateway): path relative to `dir`, and its arguments. */
  command?: { path: string; args: string[] };
  port: number;
  /** Liveness path polled before the platform is announced as up. */
  healthPath: string;
  /** Public URLs printed in the banner, relative to PUBLIC_URL or absolute. */
  urls: Array<{ label: string; url: string }>;
  /** Has a database (migrations and seed under src/db/cli.ts). */
  database: boolean;
  /** Arguments after the entry; `watchArgs` replace them under `pnpm dev` (--watch). */
  args?: string[];
  watchArgs?: string[];
  /** Gets OAUTH_CLIENT_SECRET, the admin-portal client's secret (oauth-service seeds it, the portal uses it). */
  portalSecret?: boolean;
  /** Gets ACCOUNT_CLIENT_SECRET, the account-console client's secret (oauth-service seeds it, account-portal uses it). */
  accountSecret?: boolean;
}

export const components: Component[] = [
  {
    name: 'pingora-proxy',
    dir: 'apps/pingora-proxy',
    entry: '',
    // Built by the start script with `cargo build` (debug, as in the runbook (docs/operations.md)).
    command: { path: 'target/debug/pingora-proxy', args: ['--config', 'config/default.yaml'] },
    port: 8080,
    healthPath: '/healthz',
    urls: [
      { label: 'public origin (PUBLIC_URL)', url: 'http://localhost:8080' },
      { label: 'discovery', url: 'http://localhost:8080/.well-known/openid-configuration' },
      { label: 'test-service through the gateway', url: 'http://localhost:8080/test/api/v1/echo' },
      { label: 'gateway health / metrics', url: 'http://localhost:8080/healthz  /metrics' },
    ],
    database: false,
  },
  {
    name: 'oauth-service',
    dir: 'apps/oauth-service',
    entry: 'src/main.ts',
    port: 3001,
    healthPath: '/health',
    urls: [
      { label: 'OpenID discovery', url: 'http://localhost:3001/.well-known/openid-configuration' },
      { label: 'authorize / token', url: 'http://localhost:3001/oauth/authorize  /oauth/token' },
      { label: 'JWKS', url: 'http://localhost:3001/oauth/jwks' },
      { label: 'admin API (OpenAPI)', url: 'http://localhost:3001/api/admin/openapi.json' },
      {
        label: 'health / ready / metrics',
        url: 'http://localhost:3001/health  /ready  /metrics  /api/metrics',
      },
    ],
    database: true,
    portalSecret: true,
    accountSecret: true,
  },
  {
    name: 'admin-portal',
    dir: 'apps/admin-portal',
    // A custom Node server around the Next.js production build (`next build`, done by start.sh); it answers
    // /health, /ready and /metrics at the root. `pnpm dev` runs it as `next dev` instead.
    entry: 'src/server.ts',
    watchArgs: ['--dev'],
    port: 3002,
    healthPath: '/health',
    urls: [
      { label: 'console (sign in as admin)', url: 'http://localhost:8080/admin' },
      { label: 'health / ready / metrics', url: 'http://localhost:3002/health  /ready  /metrics' },
    ],
    database: false,
    portalSecret: true,
  },
  {
    name: 'account-portal',
    dir: 'apps/account-portal',
    // The account console: the same kind of server as admin-portal's, around its own Next.js build.
    entry: 'src/server.ts',
    watchArgs: ['--dev'],
    port: 3006,
    healthPath: '/health',
    urls: [
      { label: 'account console (every user)', url: 'http://localhost:8080/account' },
      { label: 'health / ready / metrics', url: 'http://localhost:3006/health  /ready  /metrics' },
    ],
    database: false,
    accountSecret: true,
  },
  {
    name: 'kline-service',
    dir: 'apps/kline-service',
    entry: 'src/main.ts',
    // A young generation of 8 MiB semi-spaces instead of V8's default for this much memory (64 MiB): the
    // PostgreSQL driver keeps each result reachable for a while, so a scavenge of a large young generation
    // copies tens of MiB and pauses ~20 ms, which was the klines endpoint's p99 (bench/kline/klines.ts).
    nodeFlags: ['--max-semi-space-size=8'],
    port: 3003,
    healthPath: '/health',
    urls: [
      {
        label: 'klines (kline:read)',
        url: 'http://localhost:8080/kline/api/v1/klines?symbol=BTCUSDT&interval=1m',
      },
      { label: 'symbols (kline:read)', url: 'http://localhost:8080/kline/api/v1/symbols' },
      { label: 'ingest (kline:write)', url: 'POST http://localhost:8080/kline/api/v1/trades' },
      { label: 'live WebSocket (kline:read)', url: 'ws://localhost:8080/kline/ws' },
      { label: 'OpenAPI', url: 'http://localhost:3003/kline/openapi.json' },
      { label: 'RFC 9728 metadata', url: 'http://localhost:3003/.well-known/oauth-protected-resource/kline' },
      { label: 'health / ready / metrics', url: 'http://localhost:3003/health  /ready  /metrics' },
    ],
    database: true,
  },
  {
    name: 'flow-service',
    dir: 'apps/flow-service',
    entry: 'src/main.ts',
    port: 3004,
    healthPath: '/health',
    urls: [
      {
        label: 'definitions / runs (flow:* scopes)',
        url: 'http://localhost:8080/flow/api/v1/definitions  /flow/api/v1/runs',
      },
      { label: 'run events (SSE)', url: 'http://localhost:8080/flow/api/v1/runs/<id>/events/stream' },
      { label: 'OpenAPI', url: 'http://localhost:3004/flow/openapi.json' },
      { label: 'RFC 9728 metadata', url: 'http://localhost:8080/.well-known/oauth-protected-resource/flow' },
      { label: 'health / ready / metrics', url: 'http://localhost:3004/health  /ready  /metrics' },
    ],
    database: true,
  },
  {
    name: 'test-service',
    dir: 'apps/test-service',
    entry: 'src/main.ts',
    port: 3005,
    healthPath: '/health',
    urls: [
      { label: 'echo (test:read / test:write)', url: 'http://localhost:3005/test/api/v1/echo' },
      { label: 'ticks (SSE)', url: 'http://localhost:3005/test/api/v1/ticks' },
      { label: 'OpenAPI', url: 'http://localhost:3005/test/openapi.json' },
      { label: 'RFC 9728 metadata', url: 'http://localhost:3005/.well-known/oauth-protected-resource/test' },
      { label: 'health / ready / metrics', url: 'http://localhost:3005/health  /ready  /metrics' },
    ],
    database: true,
  },
];

/** Seeded accounts, printed by the start-up banner and listed in apps/oauth-service/README.md. */
export const seededAccounts: Array<{ who: string; credentials: string }> = [
  {
    who: 'admin (role admin)',
    credentials:
      'password: ADMIN_PASSWORD if set at first seed, else generated and printed once by the first seed (must be changed at first sign-in)',
  },
  {
    who: 'client admin-portal',
    credentials:
      'confidential, code + PKCE; secret: OAUTH_CLIENT_SECRET, else (development) kept in PLATFORM_DATA_DIR/admin-portal-client-secret',
  },
  {
    who: 'client account-console',
    credentials:
      'confidential, code + PKCE, first-party, resource /api/account; secret: ACCOUNT_CLIENT_SECRET, else (development) kept in PLATFORM_DATA_DIR/account-console-client-secret',
  },
  {
    who: 'client platform-cli',
    credentials:
      'public, code + PKCE + DPoP, device flow; loopback redirect http://127.0.0.1:<any port>/callback',
  },
  {
    who: 'client flow-service',
    credentials:
      'confidential, client_credentials; secret: FLOW_CLIENT_SECRET, else generated by the first seed, printed once and written to data/flow-client-secret for flow-service',
  },
];

/** Where SQLite databases live unless a component's DATABASE_URL says otherwise. */
export function dataDir(env: NodeJS.ProcessEnv): string {
  return env.PLATFORM_DATA_DIR ?? join(ROOT, 'data');
}

/** Where scripts/backup.sh writes (the runbook (docs/operations.md) uses /backups; set BACKUP_DIR=/backups in production). */
export function backupDir(env: NodeJS.ProcessEnv): string {
  return env.BACKUP_DIR ?? join(ROOT, 'backups');
}

/**
 * Each service owns its database; one shell cannot give them all the same DATABASE_URL, so the scripts read
 * `<SERVICE>_DATABASE_URL` (e.g. TEST_SERVICE_DATABASE_URL) and fall back to SQLite under data/.
 */
export function databaseUrlFor(component: Component, env: NodeJS.ProcessEnv): string {
  const key = `${component.name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
  return env[key] ?? `file:${join(dataDir(env), `${component.name}.db`)}`;
}

/**
 * The admin-portal client's secret, which oauth-service's seed registers and the portal authenticates with.
 * OAUTH_CLIENT_SECRET when set (production must set it: the secret is then never written anywhere by us).
 * Otherwise, in development, a random one generated once and kept in the git-ignored data directory
 * (`admin-portal-client-secret`, mode 0600), so both sides agree across restarts without anyone copying it.
 * A data directory seeded before this file existed holds a different secret: delete it, or rotate the
 * client's secret in the console and write the new one into that file.
 */
export function portalClientSecret(env: NodeJS.ProcessEnv): string | undefined {
  return sharedClientSecret(env, env.OAUTH_CLIENT_SECRET, 'admin-portal-client-secret');
}

/** The account-console client's secret: ACCOUNT_CLIENT_SECRET, else (development) kept like the portal's. */
export function accountClientSecret(env: NodeJS.ProcessEnv): string | undefined {
  return sharedClientSecret(env, env.ACCOUNT_CLIENT_SECRET, 'account-console-client-secret');
}

function sharedClientSecret(env: NodeJS.ProcessEnv, given: string | undefined, fileName: string) {
  if (given) return given;
  if (env.NODE_ENV === 'production') return undefined;
  const dir = dataDir(env);
  const file = join(dir, fileName);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Components that share the flow-service machine client's secret (the seed creates it, flow-service uses it). */
const FLOW_SECRET_SHARERS = new Set(['oauth-service', 'flow-service']);

/**
 * Without FLOW_CLIENT_SECRET, oauth-service's seed generates the flow-service client's secret and writes it
 * to this file, which flow-service reads at start-up: a dev platform needs no secret set by hand.
 */
function flowSecretEnv(component: Component, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!FLOW_SECRET_SHARERS.has(component.name) || env.FLOW_CLIENT_SECRET) return {};
  return { FLOW_CLIENT_SECRET_FILE: env.FLOW_CLIENT_SECRET_FILE ?? join(dataDir(env), 'flow-client-secret') };
}

/** The environment a component runs with: the caller's, plus its port, database and shared secrets. */
export function componentEnv(component: Component, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const secret = component.portalSecret ? portalClientSecret(env) : undefined;
  const accountSecret = component.accountSecret ? accountClientSecret(env) : undefined;
  return {
    ...env,
    ...flowSecretEnv(component, env),
    // The gateway's port comes from its YAML (bind_address); PORT is for the Node services.
    ...(component.command ? {} : { PORT: String(component.port) }),
    ...(component.database ? { DATABASE_URL: databaseUrlFor(component, env) } : {}),
    ...(secret ? { OAUTH_CLIENT_SECRET: secret } : {}),
    ...(accountSecret ? { ACCOUNT_CLIENT_SECRET: accountSecret } : {}),
  };
}
