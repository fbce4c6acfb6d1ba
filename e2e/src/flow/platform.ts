// The platform a flow-service system test runs against: oauth-service (whose seed writes flow-service's
// client secret to a file), test-service as the registered resource server PUBLIC_URL/test, and
// flow-service on the test's dialect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { freePort, type SpawnedService } from '@platform/testing';
import { type OAuthServer, startOAuthServer, TEST_SERVICE_DIR } from '../oauth/harness.ts';
import { type Gateway, startGateway } from '../ops/gateway.ts';
import { startService } from '../service.ts';

const FLOW_DIR = join(import.meta.dirname, '..', '..', '..', 'apps/flow-service');

export interface FlowPlatform {
  server: OAuthServer;
  testService: SpawnedService;
  flow: SpawnedService;
  /** The file the seed wrote flow-service's client secret to. */
  secretFile: string;
  /** With `throughGateway`: the gateway, at PUBLIC_URL, in front of all three. */
  gateway?: Gateway;
  stop(): Promise<void>;
}

/**
 * Starts the three services; `stop` stops whatever started, also after a failed start. `throughGateway`
 * puts the gateway at PUBLIC_URL in front of them, so http steps reach test-service (and flow-service its
 * token endpoint) through it, as in production. `oauthEnv` adds to oauth-service's environment.
 */
export async function startFlowPlatform(
  temp: TempDatabase,
  options: { throughGateway?: boolean; oauthEnv?: Record<string, string> } = {},
): Promise<FlowPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'flow-e2e-'));
  const secretFile = join(dir, 'flow-client-secret');
  const started: {
    server?: OAuthServer;
    testDb?: TempDatabase;
    flowDb?: TempDatabase;
    testService?: SpawnedService;
    flow?: SpawnedService;
    gateway?: Gateway;
  } = {};
  const stop = async () => {
    await started.gateway?.stop();
    await started.flow?.stop();
    await started.testService?.stop();
    await started.server?.stop();
    await started.flowDb?.drop();
    await started.testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const gatewayPort = options.throughGateway ? await freePort() : undefined;
    const server = await startOAuthServer(temp.url, {
      env: { ...options.oauthEnv, FLOW_CLIENT_SECRET_FILE: secretFile },
      ...(gatewayPort ? { issuer: `http://127.0.0.1:${gatewayPort}` } : {}),
    });
    started.server = server;
    started.testDb = await createTempDatabase('sqlite');
    started.flowDb = await createTempDatabase(temp.dialect);
    const common = {
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: server.issuer,
      OAUTH_JWKS_URL: `${server.issuer}/oauth/jwks`,
    };
    const testEnv = { ...common, DATABASE_URL: started.testDb.url };
    const testService = await startService(TEST_SERVICE_DIR, testEnv);
    started.testService = testService;
    const flowEnv = {
      ...common,
      DATABASE_URL: started.flowDb.url,
      OAUTH_TOKEN_URL: `${server.issuer}/oauth/token`,
      FLOW_CLIENT_SECRET_FILE: secretFile,
      // test-service answers on its own internal origin (or behind the gateway at PUBLIC_URL/test); it is
      // the resource server PUBLIC_URL/test.
      FLOW_RESOURCE_SERVERS: gatewayPort ? 'kline,flow,test' : `kline,flow,test=${testService.url}`,
    };
    const flow = await startService(FLOW_DIR, flowEnv, { readyPath: '/ready' });
    started.flow = flow;
    if (gatewayPort)
      started.gateway = await startGateway(
        {
          UPSTREAM_OAUTH_1: `127.0.0.1:${server.service.port}`,
          UPSTREAM_TEST_1: `127.0.0.1:${testService.port}`,
          UPSTREAM_FLOW_1: `127.0.0.1:${flow.port}`,
        },
        gatewayPort,
      );
    return {
      server,
      testService,
      flow,
      secretFile,
      ...(started.gateway ? { gateway: started.gateway } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
