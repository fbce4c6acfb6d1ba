// The "bare + duties" reference (bare-provider.ts with DUTIES=1): what the platform requires on top of the protocol,
// for every request a server built on oidc-provider answers, done as cheaply as we know how and with nothing
// else of ours (no Fastify, no Kysely, no DB-backed clients, no redaction):
//   - a request id, taken from X-Request-Id or generated, and returned;
//   - one JSON access log line (pino, asynchronous stdout: what oauth-service logs at LOG_LEVEL=info);
//   - http_requests_total and http_request_duration_seconds (the same prom-client code as ours), and
//     oauth_tokens_issued_total{grant_type,client_id} from the grant.success event;
//   - an audit row for each token issued (a security event the platform audits), into the same `audit_log` table
//     as ours on SQLite (WAL, synchronous=NORMAL, the same five indexes), through one prepared better-sqlite3
//     statement, in batches (a 10 ms window or 200 rows, as ours).
// Benchmark-only code.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@platform/db';
import { createHttpMetrics } from '@platform/http/http-metrics';
import SQLite from 'better-sqlite3';
import type Provider from 'oidc-provider';
import type { Adapter, AdapterConstructor, AdapterPayload, KoaContextWithOIDC } from 'oidc-provider';
import { destination, pino } from 'pino';
import { Counter } from 'prom-client';
import { auditMigration } from '../../../apps/oauth-service/src/audit/migration.ts';
import { oidcPayloadsMigration } from '../../../apps/oauth-service/src/oidc/adapter/migration.ts';

const AUDIT_BATCH_MS = 10;
const AUDIT_BATCH_ROWS = 200;

/**
 * A fresh SQLite database holding oauth-service's `oidc_payloads` and `audit_log` tables, created by its own
 * migrations (through @platform/db, which also sets WAL and synchronous=NORMAL), then opened directly.
 */
export async function openDutiesDatabase(): Promise<SQLite.Database> {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-duties-')), 'duties.db');
  const created = createDatabase(`file:${file}`);
  await oidcPayloadsMigration.up(created.db, 'sqlite');
  await auditMigration.up(created.db, 'sqlite');
  await created.close();
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** oidc-provider's adapter on SQLite: the cheapest storage that persists, one prepared statement each. */
export function sqliteAdapter(db: SQLite.Database): AdapterConstructor {
  const upsert = db.prepare(
    `insert into oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
       user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at, consumed_at = null`,
  );
  const find = db.prepare(
    'select payload, expires_at, consumed_at from oidc_payloads where model = ? and id = ?',
  );
  const findBy = (column: 'uid' | 'user_code') =>
    db.prepare(
      `select payload, expires_at, consumed_at from oidc_payloads where model = ? and ${column} = ?`,
    );
  const byUid = findBy('uid');
  const byUserCode = findBy('user_code');
  const consume = db.prepare(
    'update oidc_payloads set consumed_at = ? where model = ? and id = ? and consumed_at is null',
  );
  const destroy = db.prepare('delete from oidc_payloads where model = ? and id = ?');
  const revoke = db.prepare('delete from oidc_payloads where grant_id = ?');
  type Row = { payload: string; expires_at: number | null; consumed_at: number | null } | undefined;
  const live = (row: Row): AdapterPayload | undefined => {
    if (!row || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
  };
  return class SqliteAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const expiresAt = Number.isFinite(expiresIn) ? Date.now() + expiresIn * 1000 : null;
      upsert.run(
        this.model,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        expiresAt,
      );
    }
    async find(id: string) {
      return live(find.get(this.model, id) as Row);
    }
    async findByUid(uid: string) {
      return live(byUid.get(this.model, uid) as Row);
    }
    async findByUserCode(userCode: string) {
      return live(byUserCode.get(this.model, userCode) as Row);
    }
    async consume(id: string) {
      consume.run(Date.now(), this.model, id);
    }
    async destroy(id: string) {
      destroy.run(this.model, id);
    }
    async revokeByGrantId(grantId: string) {
      revoke.run(grantId);
    }
  };
}

function openAuditLog(db: SQLite.Database) {
  const insert = db.prepare(
    `insert into audit_log (created_at, actor_type, actor_id, action, client_id, ip, user_agent, request_id,
       outcome, details) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = db.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(row);
  });
  let queue: unknown[][] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const rows = queue;
    queue = [];
    insertAll(rows);
  };
  return (row: unknown[]) => {
    queue.push(row);
    if (queue.length >= AUDIT_BATCH_ROWS) flush();
    else timer ??= setTimeout(flush, AUDIT_BATCH_MS);
  };
}

/** The provider's request handler with the duties around it. */
export function addDuties(
  provider: Provider,
  db: SQLite.Database,
): (req: IncomingMessage, res: ServerResponse) => void {
  const log = pino({ base: { service: 'bench-duties' } }, destination({ dest: 1, sync: false }));
  const metrics = createHttpMetrics();
  const issued = new Counter({
    name: 'oauth_tokens_issued_total',
    help: 'Tokens issued, by grant type and client.',
    labelNames: ['grant_type', 'client_id'],
    registers: [metrics.registry],
  });
  const audit = openAuditLog(db);

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = String(ctx.oidc.params?.grant_type ?? 'unknown');
    const clientId = ctx.oidc.client?.clientId ?? 'unknown';
    issued.inc({ grant_type: grantType, client_id: clientId });
    audit([
      Date.now(),
      'client',
      clientId,
      'token.issue',
      clientId,
      ctx.ip,
      ctx.get('user-agent') || null,
      String(ctx.res.getHeader('x-request-id') ?? ''),
      'success',
      JSON.stringify({ grant_type: grantType }),
    ]);
  });

  const callback = provider.callback();
  return (req, res) => {
    const start = process.hrtime.bigint();
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && header.length <= 128 ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const path = (req.url ?? '/').split('?')[0]!;
      metrics.record(req.method ?? 'GET', path, res.statusCode, seconds);
      log.info(
        {
          reqId: requestId,
          req: { method: req.method, url: path },
          res: { statusCode: res.statusCode },
          responseTime: seconds * 1000,
        },
        'request completed',
      );
    });
    callback(req, res);
  };
}
