import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import { createTestIssuer, type SpawnedService, spawnService, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUDIENCE, migrate } from '../test/harness.ts';
import { type SideEffects, sideEffectDefinition, startSideEffects } from '../test/side-effects.ts';

const SERVICE_DIR = join(import.meta.dirname, '../..');
const SECRET = 'crash-test-client-secret-0123456789abcdef';
const RUNS = 200;

// The acceptance crash test: 200 runs, kill -9 of the spawned service while steps are in flight, a
// restart, and every run finishes with each side effect applied exactly once.
describeEachDialect('crash recovery', (temp) => {
  let issuer: TestIssuer;
  let effects: SideEffects;
  const services: SpawnedService[] = [];
  beforeAll(async () => {
    await migrate(temp().url);
    issuer = await createTestIssuer();
    effects = await startSideEffects({ clientSecret: SECRET, delayMs: 100 });
  });
  afterAll(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await effects?.close();
    await issuer?.close();
  });

  const spawn = () =>
    spawnService({
      cwd: SERVICE_DIR,
      entry: 'src/main.ts',
      readyPath: '/ready',
      env: {
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: temp().url,
        OAUTH_ISSUER: issuer.issuer,
        OAUTH_JWKS_URL: issuer.jwksUri,
        TOKEN_AUDIENCE: AUDIENCE,
        OAUTH_TOKEN_URL: effects.tokenUrl,
        FLOW_CLIENT_SECRET: SECRET,
        // The counting endpoint stands in for test-service, on its own (internal, loopback) origin.
        FLOW_RESOURCE_SERVERS: `test=${effects.url}`,
        FLOW_LEASE_MS: '1000',
        FLOW_SWEEP_INTERVAL_MS: '100',
        FLOW_POLL_INTERVAL_MS: '50',
        FLOW_WORKER_CONCURRENCY: '32',
      },
    }).then((service) => {
      services.push(service);
      return service;
    });

  it('finishes all 200 runs after a kill -9 midway, with no side effect applied twice', {
    timeout: 90_000,
  }, async () => {
    const token = await issuer.mint({
      aud: AUDIENCE,
      client_id: 'crash-test',
      sub: 'tester',
      scope: 'flow:read flow:write flow:run',
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let service = await spawn();
    const defined = await fetch(`${service.url}/flow/api/v1/definitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(sideEffectDefinition(effects.url)),
    });
    expect(defined.status).toBe(201);
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const started = await fetch(`${service.url}/flow/api/v1/definitions/side-effects/runs`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `crash-${i}` },
        body: JSON.stringify({ input: { n: i } }),
      });
      expect(started.status).toBe(201);
      runIds.push(((await started.json()) as { id: string }).id);
    }
    // Midway: a good share of the 400 side effects applied, many still to go.
    const totalApplied = () => [...effects.applied.values()].reduce((a, b) => a + b, 0);
    while (totalApplied() < 120) await new Promise((resolve) => setTimeout(resolve, 10));
    const killed = await service.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const appliedAtKill = totalApplied();
    expect(appliedAtKill).toBeLessThan(RUNS * 2);

    service = await spawn();
    const deadline = Date.now() + 60_000;
    let succeeded = 0;
    while (Date.now() < deadline) {
      const list = await fetch(
        `${service.url}/flow/api/v1/runs?definition=side-effects&state=succeeded&limit=200`,
        { headers },
      );
      succeeded = ((await list.json()) as { runs: unknown[] }).runs.length;
      if (succeeded === RUNS) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(succeeded).toBe(RUNS);
    // Exactly one applied side effect per run and http step.
    expect(effects.applied.size).toBe(RUNS * 2);
    for (const id of runIds) {
      expect(effects.applied.get(`${id}:charge`)).toBe(1);
      expect(effects.applied.get(`${id}:ship`)).toBe(1);
    }
    // The kill interrupted steps in flight: they were delivered again with the same key and not re-applied.
    expect(effects.replays()).toBeGreaterThan(0);
    // The runs act for the user who started them: every delivered step exchanged that user's token anew
    // (ADR 0036, never cached), so at least one token request per run.
    expect(effects.tokenRequests()).toBeGreaterThanOrEqual(200);
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
