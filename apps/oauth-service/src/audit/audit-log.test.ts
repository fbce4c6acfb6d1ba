import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OAuthSchema } from '../db/schema.ts';
import {
  type AuditEvent,
  AuditEventError,
  type AuditEventInput,
  type AuditLog,
  type AuditQuery,
  AuditQueryError,
  createAuditLog,
} from './audit-log.ts';
import { openAuditDatabase } from './test-support.ts';

const T0 = 1_700_000_000_000;

describeEachDialect('audit log', (temp) => {
  let database: Database<OAuthSchema>;
  let audit: AuditLog;
  let clock = T0;

  const everything = async (filters: Omit<AuditQuery, 'cursor'> = {}): Promise<AuditEvent[]> => {
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit.query({ ...filters, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return seen;
  };

  beforeAll(async () => {
    database = await openAuditDatabase(temp().url);
    audit = createAuditLog(database.db, { now: () => clock });
  });
  afterAll(() => database.close());

  it('records an event and reads it back by id', async () => {
    await audit.record({
      actorType: 'user',
      actorId: 'u-1',
      actorName: 'alice',
      action: 'user.create',
      targetType: 'user',
      targetId: 'u-2',
      clientId: 'admin-portal',
      ip: '203.0.113.5',
      userAgent: 'Mozilla/5.0',
      requestId: 'req-1',
      outcome: 'success',
      details: { username: 'bob', roles: ['editor'] },
    });
    const [latest] = (await audit.query({ limit: 1 })).items;
    expect(latest).toEqual({
      id: expect.any(Number),
      createdAt: T0,
      actorType: 'user',
      actorId: 'u-1',
      actorName: 'alice',
      action: 'user.create',
      targetType: 'user',
      targetId: 'u-2',
      clientId: 'admin-portal',
      ip: '203.0.113.5',
      userAgent: 'Mozilla/5.0',
      requestId: 'req-1',
      outcome: 'success',
      details: { username: 'bob', roles: ['editor'] },
    });
    expect(await audit.get(latest!.id)).toEqual(latest);
    expect(await audit.get(latest!.id + 1000)).toBeUndefined();
    expect(await audit.get(-1)).toBeUndefined();
    expect(await audit.get(1.5)).toBeUndefined();
  });

  it('strips secrets from details before they reach the table', async () => {
    clock += 1;
    await audit.record({
      actorType: 'client',
      actorId: 'svc',
      action: 'token.issue',
      clientId: 'svc',
      outcome: 'success',
      details: {
        grant_type: 'client_credentials',
        client_secret: 'super-secret-value',
        access_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
        request: { code: 'auth-code-123', code_verifier: 'verifier-xyz', scope: 'test:read' },
      },
    });
    const raw = await database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'token.issue')
      .executeTakeFirstOrThrow();
    expect(raw.details).not.toMatch(/super-secret|eyJ|auth-code|verifier-xyz/);
    expect(JSON.parse(raw.details)).toEqual({
      grant_type: 'client_credentials',
      request: { scope: 'test:read' },
    });
  });

  it('cuts over-long free text and neutralizes control characters rather than losing the event', async () => {
    clock += 1;
    await audit.record({
      actorType: 'user',
      actorName: `${'n'.repeat(300)}`,
      action: 'login.failure',
      targetType: 'user',
      ip: '198.51.100.1',
      userAgent: `evil\u0000agent\r\nX-Injected: 1 ${'u'.repeat(1000)}`,
      outcome: 'failure',
    });
    const [event] = (await audit.query({ action: 'login.failure' })).items;
    expect(event!.userAgent).toHaveLength(512);
    expect(event!.userAgent!.startsWith('evil\uFFFDagent\uFFFD\uFFFDX-Injected')).toBe(true);
    expect(event!.actorName).toHaveLength(255);
    expect(event!.actorId).toBeNull();
    expect(event!.details).toEqual({});
  });

  it('refuses malformed events: they are bugs in the caller', async () => {
    const base: AuditEventInput = { actorType: 'system', action: 'key.rotate', outcome: 'success' };
    const bad: unknown[] = [
      { ...base, actorType: 'robot' },
      { ...base, outcome: 'maybe' },
      { ...base, action: 'KeyRotate' },
      { ...base, action: 'rotate' },
      { ...base, action: `a.${'b'.repeat(70)}` },
      { ...base, targetType: 'Has Spaces' },
      { ...base, details: ['not', 'an', 'object'] },
      { ...base, actorId: 42 },
    ];
    for (const event of bad) {
      await expect(audit.record(event as AuditEventInput)).rejects.toBeInstanceOf(AuditEventError);
    }
  });

  it('filters by actor, exact action, action prefix, client, target, outcome and time', async () => {
    const events: AuditEventInput[] = [
      {
        actorType: 'user',
        actorId: 'u-1',
        action: 'user.update',
        targetType: 'user',
        targetId: 'u-3',
        outcome: 'success',
      },
      {
        actorType: 'user',
        actorId: 'u-9',
        action: 'user.delete',
        targetType: 'user',
        targetId: 'u-3',
        outcome: 'failure',
      },
      {
        actorType: 'client',
        actorId: 'web',
        action: 'refresh_token.reuse_detected',
        clientId: 'web',
        outcome: 'failure',
      },
      // `refreshXtoken` would match an unescaped `refresh_token.%` pattern.
      {
        actorType: 'client',
        actorId: 'web',
        action: 'refreshxtoken.rotate',
        clientId: 'web',
        outcome: 'success',
      },
      { actorType: 'system', action: 'key.rotate', targetType: 'key', targetId: 'kid-1', outcome: 'success' },
    ];
    const startedAt = clock + 100;
    clock = startedAt;
    for (const event of events) {
      await audit.record(event);
      clock += 10;
    }
    const actions = async (filters: AuditQuery) => (await everything(filters)).map((event) => event.action);

    expect(await actions({ actor: { type: 'user', id: 'u-1' } })).toEqual(['user.update', 'user.create']);
    expect(await actions({ actor: { type: 'system' } })).toEqual(['key.rotate']);
    expect(await actions({ action: 'user.delete' })).toEqual(['user.delete']);
    expect(await actions({ action: 'user.*' })).toEqual(['user.delete', 'user.update', 'user.create']);
    expect(await actions({ action: 'refresh_token.*' })).toEqual(['refresh_token.reuse_detected']);
    expect(await actions({ clientId: 'web' })).toEqual([
      'refreshxtoken.rotate',
      'refresh_token.reuse_detected',
    ]);
    expect(await actions({ target: { type: 'user', id: 'u-3' } })).toEqual(['user.delete', 'user.update']);
    expect(await actions({ outcome: 'failure', action: 'user.*' })).toEqual(['user.delete']);
    // from is inclusive, to exclusive.
    expect(await actions({ from: startedAt + 10, to: startedAt + 30 })).toEqual([
      'refresh_token.reuse_detected',
      'user.delete',
    ]);
    expect(await actions({ action: 'nothing.here' })).toEqual([]);
  });

  it('pages newest first, visiting every row exactly once', async () => {
    for (let i = 0; i < 23; i += 1) {
      clock += 1;
      await audit.record({ actorType: 'system', action: 'bulk.event', outcome: 'success', details: { i } });
    }
    const pageSizes: number[] = [];
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit.query({ action: 'bulk.*', limit: 5, ...(cursor ? { cursor } : {}) });
      pageSizes.push(page.items.length);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pageSizes).toEqual([5, 5, 5, 5, 3]);
    expect(seen.map((event) => event.details.i)).toEqual(Array.from({ length: 23 }, (_, i) => 22 - i));
    expect(new Set(seen.map((event) => event.id)).size).toBe(23);

    // Unfiltered, across every event recorded so far.
    const all = await everything({ limit: 4 });
    const total = (await database.db.selectFrom('audit_log').select('id').execute()).length;
    expect(all).toHaveLength(total);
    const ids = all.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(total);

    // A page that ends exactly at the last row says so.
    expect((await audit.query({ action: 'bulk.*', limit: 23 })).nextCursor).toBeNull();
  });

  it("counts a filter's length in characters, as the API's schema does (an astral character is one)", async () => {
    // 64 characters, 128 UTF-16 code units: within `target_type`'s maxLength of 64.
    const astral = '\u{1D413}'.repeat(64);
    await expect(
      audit.query({ target: { type: astral }, clientId: '\u{1D413}'.repeat(255) }),
    ).resolves.toMatchObject({
      items: [],
    });
    await expect(audit.query({ target: { type: `${astral}x` } })).rejects.toBeInstanceOf(AuditQueryError);
  });

  it('refuses bad filters with a 400-type error', async () => {
    const bad: AuditQuery[] = [
      { limit: 0 },
      { limit: 501 },
      { limit: 2.5 },
      { cursor: 'garbage' },
      { cursor: Buffer.from('{"id":"1"}').toString('base64url') },
      { cursor: Buffer.from('{"id":-3}').toString('base64url') },
      { action: 'user*' },
      { action: '*' },
      { action: 'USER.create' },
      { action: '' },
      { actor: { type: 'robot' as 'user' } },
      { actor: { id: '' } },
      { outcome: 'maybe' as 'success' },
      { from: 1.5 },
      { to: Number.NaN },
      { clientId: 'x'.repeat(256) },
    ];
    for (const filters of bad) {
      const error = await audit.query(filters).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(filters)).toBeInstanceOf(AuditQueryError);
      expect((error as AuditQueryError).status).toBe(400);
    }
  });
});

describeEachDialect('audit log group commit', (temp) => {
  let database: Database<OAuthSchema>;
  beforeAll(async () => {
    database = await openAuditDatabase(temp().url);
  });
  afterAll(() => database.close());

  it('stores every batched event, in order, before each record() resolves', async () => {
    const log = createAuditLog(database.db, { batchMs: 20 });
    const events = Array.from({ length: 250 }, (_, i) => ({
      actorType: 'client' as const,
      actorId: `c${i}`,
      action: 'token.issue',
      outcome: 'success' as const,
    }));
    await Promise.all(events.map((event) => log.record(event)));
    const page = await log.query({ action: 'token.issue', limit: 500 });
    expect(page.items.map((e) => e.actorId)).toEqual(events.map((e) => e.actorId).reverse());
  });

  it('writes pending events on flush() without waiting for the timer', async () => {
    const log = createAuditLog(database.db, { batchMs: 60_000 });
    const recorded = log.record({ actorType: 'system', action: 'key.rotate', outcome: 'success' });
    await log.flush();
    await recorded;
    expect((await log.query({ action: 'key.rotate' })).items).toHaveLength(1);
  });
});
