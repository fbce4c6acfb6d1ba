import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registerClient } from '@platform/oauth-service/testing';
import { freePort, type SpawnedService, spawnService } from '@platform/testing';
import { repoPath } from './repo.ts';

// The Node services of the ops platform, each on a free loopback port with a temporary SQLite file.

const OAUTH_DIR = repoPath('apps/oauth-service');
const TEST_SERVICE_DIR = repoPath('apps/test-service');

export interface RunningOAuthService {
  service: SpawnedService;
  port: number;
  /** The issuer, which is also PUBLIC_URL: oauth-service's own address. */
  issuer: string;
  env: Record<string, string>;
  /** flow-service's machine client secret, as the seed printed it. */
  machineSecret: string;
  /** A machine client allowed the flow scopes. */
  flowDriver: { clientId: string; secret: string };
}

/** Migrates and seeds oauth-service's database, registers the flow driver client, then starts it. */
export async function startOAuthService(dir: string): Promise<RunningOAuthService> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: `file:${join(dir, 'oauth-service.db')}`,
    PUBLIC_URL: issuer,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_PASSWORD: 'ops-correct-horse-battery-7',
    OAUTH_CLIENT_SECRET: 'ops-portal-secret-0123456789abcdefghijklmnop',
    ACCOUNT_CLIENT_SECRET: 'ops-account-secret-0123456789abcdefghijklmn',
    ADMIN_PORTAL_URL: 'http://127.0.0.1:9/admin',
    ACCOUNT_CONSOLE_URL: 'http://127.0.0.1:9/account',
  };
  dbTask('push', env);
  const seedOutput = dbTask('seed', env);
  const machineSecret = /client "flow-service" secret \(shown once\): (\S+)/.exec(seedOutput)?.[1];
  if (!machineSecret) throw new Error(`the seed printed no flow-service secret:\n${seedOutput}`);
  const flowDriver = await createFlowDriverClient(env);
  const service = await spawnService({
    cwd: OAUTH_DIR,
    entry: 'src/main.ts',
    env,
    readyPath: '/ready',
    timeoutMs: 30_000,
  });
  return { service, port, issuer, env, machineSecret, flowDriver };
}

/** test-service with its database migrated, verifying tokens of `issuer` for audience `issuer/test`. */
export async function startTestService(dir: string, issuer: string): Promise<SpawnedService> {
  const env = {
    DATABASE_URL: `file:${join(dir, 'test-service.db')}`,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: issuer,
    OAUTH_ISSUER: issuer,
    OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
    TOKEN_AUDIENCE: `${issuer}/test`,
  };
  const push = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
    cwd: TEST_SERVICE_DIR,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (push.status !== 0) throw new Error(`test-service db push failed: ${push.stderr}`);
  return spawnService({
    cwd: TEST_SERVICE_DIR,
    entry: 'src/main.ts',
    env,
    readyPath: '/ready',
    timeoutMs: 30_000,
  });
}

/** The console: its own server around the Next build that scripts/test.sh makes (scripts/lib/portal.sh). */
export async function startPortal(issuer: string, portalSecret: string): Promise<SpawnedService> {
  return spawnService({
    cwd: repoPath('apps/admin-portal'),
    entry: 'src/server.ts',
    env: {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: issuer,
      OAUTH_ISSUER: issuer,
      NEXT_PUBLIC_API_URL: issuer,
      OAUTH_CLIENT_SECRET: portalSecret,
    },
    readyPath: '/health',
    timeoutMs: 60_000,
  });
}

/** The account console: the same kind of server around its own Next build (scripts/lib/portal.sh). */
export async function startAccountPortal(issuer: string, accountSecret: string): Promise<SpawnedService> {
  return spawnService({
    cwd: repoPath('apps/account-portal'),
    entry: 'src/server.ts',
    env: {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      PUBLIC_URL: issuer,
      OAUTH_ISSUER: issuer,
      OAUTH_INTERNAL_URL: issuer,
      ACCOUNT_CLIENT_SECRET: accountSecret,
    },
    readyPath: '/health',
    timeoutMs: 60_000,
  });
}

/**
 * Starts a resource service by the repository's conventions (docs/configuration.md): migrations
 * with `src/db/cli.ts push` when it has a database, then `node src/main.ts` on a free port with a SQLite
 * file, verifying tokens of `issuer`. Fails with the service's output when it does not get ready.
 */
export async function startConventional(name: string, dir: string, issuer: string): Promise<SpawnedService> {
  const cwd = repoPath('apps', name);
  const port = await freePort();
  const env = {
    DATABASE_URL: `file:${join(dir, `${name}.db`)}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: issuer,
    OAUTH_ISSUER: issuer,
    OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
  };
  if (existsSync(join(cwd, 'src/db/cli.ts'))) {
    const push = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (push.status !== 0) throw new Error(`${name} db push failed: ${push.stderr}${push.stdout}`);
  }
  return spawnService({ cwd, entry: 'src/main.ts', env, readyPath: '/ready', timeoutMs: 30_000 });
}

function dbTask(task: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['src/db/cli.ts', task], {
    cwd: OAUTH_DIR,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`oauth-service db ${task} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * Registers, straight in oauth-service's database (as its own test support does), a confidential
 * client_credentials client with the flow scopes, so the traffic below can run a workflow.
 */
async function createFlowDriverClient(oauthEnv: Record<string, string>) {
  const { clientId, secret } = await registerClient(oauthEnv, {
    name: 'ops traffic driver',
    type: 'confidential',
    grantTypes: ['client_credentials'],
    scope: ['flow:read', 'flow:write', 'flow:run'],
  });
  return { clientId, secret: secret! };
}
