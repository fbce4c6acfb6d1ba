// Starts every service with an OpenAPI document, each on its own SQLite database, and obtains the token
// each document's operations need: the seeded flow-service machine client's client_credentials tokens for
// test-service and kline-service, the seeded admin's authorization-code tokens (admin-portal client) for
// flow-service and the admin API, and through the account console's client for the account API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { type SpawnedService, spawnService } from '@platform/testing';
import * as client from 'openid-client';
import {
  codeFlow,
  discover,
  type OAuthServer,
  portalConfig,
  startOAuthServer,
  TEST_SERVICE_DIR,
} from '../oauth/harness.ts';

const APPS = join(import.meta.dirname, '..', '..', '..', 'apps');
const KLINE_DIR = join(APPS, 'kline-service');
const FLOW_DIR = join(APPS, 'flow-service');

/** One OpenAPI document to check, with the bearer token its operations accept. */
export interface ContractTarget {
  name: string;
  /** Where the service serves its OpenAPI document. */
  openapiUrl: string;
  /** The origin the document's paths are relative to. */
  baseUrl: string;
  token: string;
  /** Schemathesis phases to run; all of them when absent. */
  phases?: string[];
}

export interface ContractPlatform {
  targets: ContractTarget[];
  /** Every child's output, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

function push(cwd: string, env: Record<string, string>): void {
  const result = spawnSync(process.execPath, ['src/db/cli.ts', 'push'], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`db push in ${cwd} failed: ${result.stderr}${result.stdout}`);
}

async function machineToken(server: OAuthServer, resource: string, scope: string): Promise<string> {
  const machine = await discover(server, 'flow-service', client.ClientSecretBasic(server.machineSecret));
  return (await client.clientCredentialsGrant(machine, { resource: `${server.issuer}${resource}`, scope }))
    .access_token;
}

async function adminToken(server: OAuthServer, resource: string, scope: string): Promise<string> {
  const tokens = await codeFlow(server, await portalConfig(server), {
    resource: `${server.issuer}${resource}`,
    scope: `openid ${scope}`,
  });
  return tokens.access_token;
}

const ACCOUNT_SECRET = 'contract-account-secret-0123456789abcdefghij';
const ACCOUNT_REDIRECT = 'http://127.0.0.1:9/account/auth/callback';

/** The seeded admin's token for the account API, through the account console's client. */
async function accountToken(server: OAuthServer): Promise<string> {
  const config = await discover(server, 'account-console', client.ClientSecretBasic(ACCOUNT_SECRET));
  const tokens = await codeFlow(server, config, {
    redirect_uri: ACCOUNT_REDIRECT,
    resource: `${server.issuer}/api/account`,
    scope: 'openid account',
  });
  return tokens.access_token;
}

async function startResourceService(
  dir: string,
  common: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<{ service: SpawnedService; db: TempDatabase }> {
  const db = await createTempDatabase('sqlite');
  const env = { ...common, DATABASE_URL: db.url, ...extra };
  push(dir, env);
  const service = await spawnService({ cwd: dir, entry: 'src/main.ts', env, readyPath: '/ready' });
  return { service, db };
}

/** The oauth-service documents: the admin API and the account API, each with its own token. */
async function oauthServiceTargets(server: OAuthServer): Promise<ContractTarget[]> {
  return [
    {
      name: 'oauth-service admin API',
      openapiUrl: `${server.issuer}/api/admin/openapi.json`,
      baseUrl: server.issuer,
      token: await adminToken(server, '/api/admin', 'admin:read admin:write'),
      // No stateful phase here (and no ids learnt from responses, see schemathesis.toml): its sequences
      // act on the live objects list responses return, the run's own admin user, its role and the
      // admin-portal client among them, and would demote, disable or delete the identity the run
      // authenticates as, so every later request would be a 403. The other phases still send every
      // operation valid and invalid input; the ids they make up name nothing that exists.
      phases: ['examples', 'coverage', 'fuzzing'],
    },
    {
      name: 'oauth-service account API',
      openapiUrl: `${server.issuer}/api/account/openapi.json`,
      baseUrl: server.issuer,
      // Its own token: the run ends the admin's sessions and revokes applications, which the admin API
      // target's token (a JWT) outlives.
      token: await accountToken(server),
      phases: ['examples', 'coverage', 'fuzzing'],
    },
  ];
}

export async function startContractPlatform(): Promise<ContractPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'contract-e2e-'));
  const secretFile = join(dir, 'flow-client-secret');
  const oauthDb = await createTempDatabase('sqlite');
  const started: Array<{ service: SpawnedService; db: TempDatabase }> = [];
  let server: OAuthServer | undefined;
  const stop = async () => {
    for (const { service, db } of started.reverse()) {
      await service.stop();
      await db.drop();
    }
    await server?.stop();
    await oauthDb.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = await startOAuthServer(oauthDb.url, {
      env: {
        FLOW_CLIENT_SECRET_FILE: secretFile,
        // The fuzzing outlasts the default 5-minute access token; the sign-in limit must not trip either.
        ACCESS_TOKEN_TTL: '3600',
        LOGIN_IP_LIMIT_PER_MINUTE: '100000',
        ACCOUNT_CLIENT_SECRET: ACCOUNT_SECRET,
        ACCOUNT_CONSOLE_URL: 'http://127.0.0.1:9/account',
      },
    });
    const common = {
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: server.issuer,
      OAUTH_JWKS_URL: `${server.issuer}/oauth/jwks`,
    };
    const test = await startResourceService(TEST_SERVICE_DIR, common);
    started.push(test);
    const kline = await startResourceService(KLINE_DIR, common);
    started.push(kline);
    const flow = await startResourceService(FLOW_DIR, common, {
      OAUTH_TOKEN_URL: `${server.issuer}/oauth/token`,
      FLOW_CLIENT_SECRET_FILE: secretFile,
    });
    started.push(flow);
    const targets: ContractTarget[] = [
      {
        name: 'test-service',
        openapiUrl: `${test.service.url}/test/openapi.json`,
        baseUrl: test.service.url,
        token: await machineToken(server, '/test', 'test:read test:write'),
      },
      {
        name: 'kline-service',
        openapiUrl: `${kline.service.url}/kline/openapi.json`,
        baseUrl: kline.service.url,
        token: await machineToken(server, '/kline', 'kline:read kline:write'),
      },
      {
        name: 'flow-service',
        openapiUrl: `${flow.service.url}/flow/openapi.json`,
        baseUrl: flow.service.url,
        token: await adminToken(server, '/flow', 'flow:read flow:write flow:run flow:approve'),
      },
      ...(await oauthServiceTargets(server)),
    ];
    const services = [server.service, ...started.map((s) => s.service)];
    return { targets, logs: () => services.flatMap((s) => s.output()).join('\n'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
