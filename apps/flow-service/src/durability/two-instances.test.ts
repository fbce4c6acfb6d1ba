import { join } from 'node:path';
import { createDatabase, sql } from '@platform/db';
import { createTempDatabase, type TempDatabase } from '@platform/db/testing';
import { createTestIssuer, type SpawnedService, spawnService, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowSchema } from '../db/schema.ts';
import { AUDIENCE, migrate } from '../test/harness.ts';
import { type SideEffects, sideEffectDefinition, startSideEffects } from '../test/side-effects.ts';

const SERVICE_DIR = join(import.meta.dirname, '../..');
const SECRET = 'two-instances-client-secret-0123456789ab';
const RUNS = 200;

// Several instances on one PostgreSQL share the queue through FOR UPDATE SKIP LOCKED claims. SQLite is
// single-instance by design (one writer per file), so this acceptance test is PostgreSQL's alone.
describe('[postgres] two instances on one database', () => {
  let temp: TempDatabase;
  let issuer: TestIssuer;
  let effects: SideEffects;
  const services: SpawnedService[] = [];
  beforeAll(async () => {
    temp = await createTempDatabase('postgres');
    await migrate(temp.url);
    issuer = await createTestIssuer();
    effects = await startSideEffects({ clientSecret: SECRET, delayMs: 5 });
  });
  afterAll(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await effects?.close();
    await issuer?.close();
    await temp?.drop();
  });

  it('shares 200 runs between the instances and executes no step twice', { timeout: 90_000 }, async () => {
    const spawn = (name: string) =>
      spawnService({
        cwd: SERVICE_DIR,
        entry: 'src/main.ts',
        readyPath: '/ready',
        env: {
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          DATABASE_URL: temp.url,
          OAUTH_ISSUER: issuer.issuer,
          OAUTH_JWKS_URL: issuer.jwksUri,
          TOKEN_AUDIENCE: AUDIENCE,
          OAUTH_TOKEN_URL: effects.tokenUrl,
          FLOW_CLIENT_SECRET: SECRET,
          // The counting endpoint stands in for test-service, on its own (internal, loopback) origin.
          FLOW_RESOURCE_SERVERS: `test=${effects.url}`,
          FLOW_INSTANCE_ID: name,
          FLOW_POLL_INTERVAL_MS: '20',
          FLOW_WORKER_CONCURRENCY: '16',
        },
      });
    const [a, b] = await Promise.all([spawn('instance-a'), spawn('instance-b')]);
    services.push(a as SpawnedService, b as SpawnedService);
    const token = await issuer.mint({
      aud: AUDIENCE,
      client_id: 'two-test',
      sub: 'tester',
      scope: 'flow:read flow:write flow:run',
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect(
      (
        await fetch(`${a!.url}/flow/api/v1/definitions`, {
          method: 'POST',
          headers,
          body: JSON.stringify(sideEffectDefinition(effects.url)),
        })
      ).status,
    ).toBe(201);
    // Runs are started through both instances alike.
    await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        fetch(`${(i % 2 ? a : b)!.url}/flow/api/v1/definitions/side-effects/runs`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ input: { n: i } }),
        }).then((r) => expect(r.status).toBe(201)),
      ),
    );
    const deadline = Date.now() + 60_000;
    let succeeded = 0;
    while (Date.now() < deadline && succeeded < RUNS) {
      const list = await fetch(
        `${b!.url}/flow/api/v1/runs?definition=side-effects&state=succeeded&limit=200`,
        { headers },
      );
      succeeded = ((await list.json()) as { runs: unknown[] }).runs.length;
      if (succeeded < RUNS) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(succeeded).toBe(RUNS);
    // Each http step reached the service exactly once: no double execution, not even a replay.
    expect(effects.received.size).toBe(RUNS * 2);
    expect([...effects.received.values()].every((n) => n === 1)).toBe(true);
    expect(effects.replays()).toBe(0);

    const database = createDatabase<FlowSchema>(temp.url);
    try {
      const byWorker = await database.db
        .selectFrom('attempts')
        .select(['worker', sql<number>`count(*)`.as('n')])
        .groupBy('worker')
        .execute();
      // Worker names are `<instance>` or, with FLOW_ENGINE_LANES > 1, `<instance>/<lane>`.
      const counts: Record<string, number> = {};
      for (const row of byWorker) {
        const instance = row.worker.split('/')[0] as string;
        counts[instance] = (counts[instance] ?? 0) + Number(row.n);
      }
      // 600 step attempts, one each, split between both instances.
      expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(RUNS * 3);
      expect(counts['instance-a']).toBeGreaterThan(0);
      expect(counts['instance-b']).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
