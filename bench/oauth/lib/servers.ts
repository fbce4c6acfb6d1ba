// Starting the two servers the OAuth benchmarks compare: oauth-service as an operator runs it (migrated and
// seeded with its own CLI, then `node src/main.ts`, NODE_ENV=production, SQLite, LOG_LEVEL=info as shipped),
// and the bare oidc-provider peer (peers/bare-provider.ts) in its own process.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTempDatabase, freePort, type SpawnedService, spawnService } from '@platform/testing';
import { createUser } from '../../../apps/oauth-service/src/testing.ts';

const BENCH_DIR = join(import.meta.dirname, '..');
export const ROOT = join(BENCH_DIR, '..', '..');
export const OAUTH_DIR = join(ROOT, 'apps/oauth-service');

export interface Account {
  login: string;
  password: string;
}

/** The seeded admin; in production its role requires a second factor, so the sign-in flows use BENCH_USER. */
export const ADMIN: Account = { login: 'admin', password: 'bench-correct-horse-battery-7' };
/** A user with a password and no role: nothing requires more than the password of them. */
export const BENCH_USER: Account = { login: 'bench-user', password: 'bench-violet-harbor-lantern-9' };
export const PORTAL_REDIRECT = 'http://127.0.0.1:9/admin/auth/callback';

export interface Server {
  issuer: string;
  /** Resource indicator of test-service on this issuer. */
  resource: string;
  service: SpawnedService;
  /** flow-service's client_credentials secret (ours: printed once by the seed). */
  machineSecret: string;
  /** admin-portal's client secret. */
  portalSecret: string;
  stop(): Promise<void>;
}

/** oauth-service as started here. */
export interface OurServer extends Server {
  /** The service's environment (its database and secrets), for preparing its data (users and factors). */
  env: Record<string, string>;
}

function cli(task: string, env: Record<string, string>): string {
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
 * oauth-service on a fresh SQLite database, production-like: NODE_ENV=production with real secrets (so no
 * development default is in use), the shipped LOG_LEVEL=info (its output is captured and ignored), every
 * other setting at its default unless `env` says otherwise.
 */
export async function startOurs(
  env: Record<string, string> = {},
  options: { cpuProfDir?: string } = {},
): Promise<OurServer> {
  const temp = await createTempDatabase('sqlite');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const portalSecret = randomBytes(32).toString('base64url');
  // Production never generates and prints a secret: the machine client's is given, as a deployment does.
  const machineSecret = randomBytes(32).toString('base64url');
  const fullEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: temp.url,
    PUBLIC_URL: issuer,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    COOKIE_SECRET: randomBytes(32).toString('base64url'),
    ADMIN_PASSWORD: ADMIN.password,
    OAUTH_CLIENT_SECRET: portalSecret,
    FLOW_CLIENT_SECRET: machineSecret,
    ACCOUNT_CLIENT_SECRET: randomBytes(32).toString('base64url'),
    ADMIN_PORTAL_URL: 'http://127.0.0.1:9/admin',
    ...env,
  };
  cli('push', fullEnv);
  cli('seed', fullEnv);
  await createUser(fullEnv, {
    username: BENCH_USER.login,
    email: `${BENCH_USER.login}@example.test`,
    password: BENCH_USER.password,
  });
  const service = await spawnService({
    cwd: OAUTH_DIR,
    entry: 'src/main.ts',
    // --cpu-prof: V8 writes the profile when the service exits (it exits on SIGTERM after draining).
    env: options.cpuProfDir
      ? { ...fullEnv, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.cpuProfDir}` }
      : fullEnv,
    readyPath: '/ready',
    timeoutMs: 30_000,
  });
  return {
    issuer,
    resource: `${issuer}/test`,
    service,
    machineSecret,
    portalSecret,
    env: fullEnv,
    stop: async () => {
      await service.stop();
      await temp.drop();
    },
  };
}

export interface Peer extends Server {
  /** Opaque tokens the peer issued to admin-portal for one grant (see peers/bare-provider.ts). */
  tokens: { refresh_token: string; access_token: string };
}

/**
 * The bare oidc-provider peer, with the same client ids and secrets as `ours`; with `duties`, the "bare +
 * duties" reference (peers/duties.ts).
 */
export async function startPeer(
  ours: Pick<Server, 'machineSecret' | 'portalSecret'>,
  options: { cpuProfDir?: string; duties?: boolean } = {},
): Promise<Peer> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const resource = `${issuer}/test`;
  const service = await spawnService({
    cwd: BENCH_DIR,
    entry: 'peers/bare-provider.ts',
    env: {
      PORT: String(port),
      ISSUER: issuer,
      MACHINE_SECRET: ours.machineSecret,
      PORTAL_SECRET: ours.portalSecret,
      RESOURCE: resource,
      NODE_ENV: 'production',
      ...(options.duties ? { DUTIES: '1' } : {}),
      ...(options.cpuProfDir
        ? {
            NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.cpuProfDir}/${options.duties ? 'duties' : 'peer'}`,
          }
        : {}),
    },
  });
  const line = service.output().find((l) => l.startsWith('bench-tokens '));
  if (!line) throw new Error(`the peer printed no tokens:\n${service.output().join('\n')}`);
  return {
    issuer,
    resource,
    service,
    machineSecret: ours.machineSecret,
    portalSecret: ours.portalSecret,
    tokens: JSON.parse(line.slice('bench-tokens '.length)),
    stop: async () => void (await service.stop()),
  };
}

/** The peer and the "bare + duties" reference, both started for `ours`; `stop` stops both. */
export async function startPeers(
  ours: Pick<Server, 'machineSecret' | 'portalSecret'>,
  cpuProfDir: string | undefined,
): Promise<{ peer: Peer; duties: Peer; stop: () => Promise<void> }> {
  const profile = cpuProfDir ? { cpuProfDir } : {};
  const peer = await startPeer(ours, profile);
  const duties = await startPeer(ours, { ...profile, duties: true }).catch(async (error: unknown) => {
    await peer.stop();
    throw error;
  });
  return { peer, duties, stop: async () => void (await Promise.all([peer.stop(), duties.stop()])) };
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
