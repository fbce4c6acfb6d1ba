import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../support/repo.ts';
import { run } from '../support/tools.ts';

// deploy/postgres/init-databases.sh (run by the postgres image on its first start, in compose and in
// deploy/k8s) against a real PostgreSQL: the test cluster of scripts/test.sh (TEST_POSTGRES_URL). It
// creates cluster-wide roles, so it drops exactly the ones it creates, before and after.

const url = process.env.TEST_POSTGRES_URL;
if (!url)
  throw new Error('TEST_POSTGRES_URL is not set: run through scripts/test.sh, or start the test cluster');
const server = new URL(url);
const pgEnv = {
  PGHOST: server.hostname,
  PGPORT: server.port || '5432',
  PGUSER: decodeURIComponent(server.username),
  // The test cluster is password-protected; the password goes in the environment, not on a command line.
  PGPASSWORD: decodeURIComponent(server.password),
};
const SERVICES = [
  { role: 'oauth', database: 'oauth_db' },
  { role: 'kline', database: 'kline_db' },
  { role: 'flow', database: 'flow_db' },
  { role: 'test', database: 'test_db' },
];
const PASSWORDS: Record<string, string> = {
  OAUTH_DB_PASSWORD: 'pw-oauth-0123',
  KLINE_DB_PASSWORD: 'pw-kline-0123',
  FLOW_DB_PASSWORD: 'pw-flow-0123',
  TEST_DB_PASSWORD: 'pw-test-0123',
};
/** A service role signs in with its own password (init-databases.sh sets it from <ROLE>_DB_PASSWORD). */
const passwordOf = (user: string) =>
  user === pgEnv.PGUSER ? pgEnv.PGPASSWORD : PASSWORDS[`${user.toUpperCase()}_DB_PASSWORD`];

function psql(sql: string, options: { user?: string; database?: string } = {}) {
  return run(
    'psql',
    [
      '-X',
      '-qAt',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      options.database ?? 'postgres',
      '-U',
      options.user ?? 'postgres',
      '-c',
      sql,
    ],
    { env: { ...pgEnv, PGPASSWORD: passwordOf(options.user ?? 'postgres') ?? '' } },
  );
}

function dropAll() {
  for (const { role, database } of SERVICES) {
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    psql(`DROP ROLE IF EXISTS ${role}`);
  }
}

function initDatabases(passwords: Record<string, string>) {
  return run('bash', [repoPath('deploy/postgres/init-databases.sh')], {
    env: { ...pgEnv, POSTGRES_USER: pgEnv.PGUSER, POSTGRES_DB: 'postgres', ...passwords },
  });
}

beforeAll(dropAll);
afterAll(dropAll);

describe('deploy/postgres/init-databases.sh', () => {
  it('refuses to run with a missing password, creating nothing for that service', () => {
    const result = initDatabases({ ...PASSWORDS, OAUTH_DB_PASSWORD: '' });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('the password of role oauth is empty');
    expect(psql("SELECT count(*) FROM pg_roles WHERE rolname = 'oauth'").output.trim()).toBe('0');
    dropAll();
  });

  it('creates one login role and one owned database per service, each with its password', () => {
    const result = initDatabases(PASSWORDS);
    expect(result.status, result.output).toBe(0);
    for (const { role, database } of SERVICES) {
      const owner = psql(
        `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${database}'`,
      ).output.trim();
      expect(owner, database).toBe(role);
      const login = psql(
        `SELECT rolcanlogin AND rolpassword IS NOT NULL AND NOT rolsuper FROM pg_authid WHERE rolname = '${role}'`,
      ).output.trim();
      expect(login, role).toBe('t');
      // The owner can work in its own database.
      const own = psql('CREATE TABLE t (id int); INSERT INTO t VALUES (1); SELECT count(*) FROM t', {
        user: role,
        database,
      });
      expect(own.output.trim(), own.output).toBe('1');
    }
  });

  it("keeps services out of each other's databases", () => {
    const intruder = psql('SELECT 1', { user: 'test', database: 'oauth_db' });
    expect(intruder.status).not.toBe(0);
    expect(intruder.output).toMatch(/permission denied for database "?oauth_db"?/);
  });

  it('fails rather than silently continuing when run a second time (roles exist)', () => {
    const again = initDatabases(PASSWORDS);
    expect(again.status).not.toBe(0);
    expect(again.output).toMatch(/already exists/);
  });
});
