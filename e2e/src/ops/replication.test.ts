// Primary/replica PostgreSQL (the runbook's 高可用部署): two local clusters in streaming replication.
// oauth-service runs against the primary and keeps writing (tokens issued → audit rows; an admin-created user);
// the replica serves reads that converge to the primary's, and refuses writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthServer, startOAuthServer } from '../oauth/harness.ts';
import { requestMachineToken } from './machine-token.ts';
import { type Cluster, startPrimary, startStandby } from './pg-cluster.ts';

const DB = 'oauth_db';

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('PostgreSQL primary/replica', () => {
  let primary: Cluster;
  let replica: Cluster;
  let service: OAuthServer;

  beforeAll(async () => {
    primary = await startPrimary();
    primary.sql(`create database ${DB}`);
    replica = await startStandby(primary);
    service = await startOAuthServer(primary.url(DB));
  });

  afterAll(async () => {
    await service?.stop();
    replica?.stop();
    primary?.stop();
  });

  it('streams: the primary reports the standby, which is in recovery', () => {
    expect(primary.sql('select state from pg_stat_replication')).toBe('streaming');
    expect(replica.sql('select pg_is_in_recovery()')).toBe('t');
    expect(primary.sql('select pg_is_in_recovery()')).toBe('f');
  });

  it('reads from the replica converge to what the service writes to the primary', async () => {
    const count = (c: Cluster) => c.sql("select count(*) from audit_log where action = 'token.issue'", DB);
    const before = Number(count(primary));
    for (let i = 0; i < 20; i += 1) {
      expect(await requestMachineToken(service.issuer, service.machineSecret)).toBeUndefined();
    }
    // The audit log is group-committed a few ms after each response.
    expect(await until(() => Number(count(primary)) >= before + 20)).toBe(true);
    const onPrimary = count(primary);
    expect(await until(() => count(replica) === onPrimary)).toBe(true);

    // Whole tables converge, not just counts.
    const digest = (c: Cluster) =>
      c.sql(
        "select md5(string_agg(id::text || action || coalesce(actor_id, ''), ',' order by id)) from audit_log",
        DB,
      );
    expect(await until(() => digest(replica) === digest(primary))).toBe(true);
    expect(replica.sql('select count(*) from users', DB)).toBe(primary.sql('select count(*) from users', DB));
  });

  it('refuses writes on the replica', () => {
    expect(() =>
      replica.sql(
        "insert into audit_log (created_at, actor_type, action, outcome, details) values (0, 'system', 'x.y', 'success', '{}')",
        DB,
      ),
    ).toThrow(/read-only transaction/);
  });
});
