// The runbook's scale-out topology, on loopback: two oauth-service instances on one PostgreSQL database
// behind the gateway, which learns them from UPSTREAM_OAUTH_1 / UPSTREAM_OAUTH_2. Sign-ins and token requests
// run through the gateway while one instance is stopped the way an orchestrator or a rolling update stops it
// (`kill <pid>`: SIGTERM, then the instance drains): not one request may fail.
import { createTempDatabase, type TempDatabase } from '@platform/db/testing';
import { freePort } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFlow, type OAuthServer, portalConfig, startOAuthServer } from '../oauth/harness.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { requestMachineToken } from './machine-token.ts';

const LOAD_MS = 9_000;
const STOP_AT_MS = 3_500;
const TOKEN_WORKERS = 6;
const SIGN_IN_WORKERS = 2;

/** Successful token responses an instance has counted in its own metrics. */
async function tokensServedBy(server: OAuthServer): Promise<number> {
  const metrics = await (await fetch(`${server.service.url}/metrics`)).text();
  const match = /^http_requests_total\{method="POST",route="\/oauth\/token",status="200"\} (\d+)/m.exec(
    metrics,
  );
  return Number(match?.[1] ?? 0);
}

describe('scale-out: two oauth-service instances on one PostgreSQL behind the gateway', () => {
  let database: TempDatabase;
  let gateway: Gateway;
  let first: OAuthServer;
  let second: OAuthServer;

  beforeAll(async () => {
    database = await createTempDatabase('postgres');
    // The issuer is the gateway's public origin, so its port is chosen before the instances start.
    const gatewayPort = await freePort();
    const issuer = `http://127.0.0.1:${gatewayPort}`;
    // As in production (its default there): after SIGTERM an instance keeps serving for 2 s, telling the
    // gateway it is draining, before it stops accepting.
    const env = { SHUTDOWN_DRAIN_DELAY_MS: '2000' };
    first = await startOAuthServer(database.url, { issuer, env });
    second = await startOAuthServer(database.url, { issuer, seed: false, env });
    gateway = await startGateway(
      {
        UPSTREAM_OAUTH_1: `127.0.0.1:${first.service.port}`,
        UPSTREAM_OAUTH_2: `127.0.0.1:${second.service.port}`,
      },
      gatewayPort,
    );
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await gateway?.stop();
    await database?.drop();
  });

  it('loses no sign-in and no token request while one instance is stopped under load', async () => {
    const server = { ...first, issuer: gateway.url };
    const portal = await portalConfig(server);

    const started = Date.now();
    const failures: string[] = [];
    const done = { tokens: 0, signIns: 0, tokensAfterStop: 0, signInsAfterStop: 0 };
    let stopped = false;

    async function tokenWorker() {
      while (Date.now() - started < LOAD_MS) {
        const failure = await requestMachineToken(gateway.url, first.machineSecret);
        if (failure) failures.push(`token: ${failure}`);
        else {
          done.tokens += 1;
          if (stopped) done.tokensAfterStop += 1;
        }
      }
    }

    async function signInWorker() {
      while (Date.now() - started < LOAD_MS) {
        try {
          const tokens = await codeFlow(server, portal);
          if (!tokens.access_token || !tokens.id_token) failures.push('sign-in: no tokens');
          else {
            done.signIns += 1;
            if (stopped) done.signInsAfterStop += 1;
          }
        } catch (error) {
          failures.push(`sign-in: ${String(error)}`);
        }
      }
    }

    const stopFirst = (async () => {
      await new Promise((resolve) => setTimeout(resolve, STOP_AT_MS));
      // Both instances took part before one goes away.
      expect(await tokensServedBy(first)).toBeGreaterThan(0);
      expect(await tokensServedBy(second)).toBeGreaterThan(0);
      stopped = true;
      return first.service.stop('SIGTERM');
    })();

    await Promise.all([
      ...Array.from({ length: TOKEN_WORKERS }, tokenWorker),
      ...Array.from({ length: SIGN_IN_WORKERS }, signInWorker),
    ]);
    const exit = await stopFirst;

    expect(failures).toEqual([]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(done.tokens).toBeGreaterThan(100);
    expect(done.signIns).toBeGreaterThan(4);
    // The load really went on after the stop, on the remaining instance.
    expect(done.tokensAfterStop).toBeGreaterThan(50);
    expect(done.signInsAfterStop).toBeGreaterThan(2);
    expect(await tokensServedBy(second)).toBeGreaterThan(done.tokensAfterStop / 2);
  });
});
