import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuditLog } from '../../audit/audit-log.ts';
import { type AdminHarness, bearer, failedFields, startAdminHarness } from '../test-support.ts';

describeEachDialect('admin API: audit log order and CSV export', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    const audit = createAuditLog(h.db);
    for (const name of ['one', 'two', 'three', 'four', 'five']) {
      await audit.record({
        actorType: 'system',
        action: 'export_test.step',
        outcome: 'success',
        details: { name },
      });
    }
    await audit.record({
      actorType: 'user',
      actorId: 'u-1',
      actorName: '=cmd|" /C calc"!A0',
      action: 'export_test.failure',
      outcome: 'failure',
      userAgent: 'Mozilla/5.0 (X11, Linux)',
      details: { note: 'first, second' },
    });
  });
  afterAll(() => h?.close());

  const get = (path: string) =>
    h.app.inject({ method: 'GET', url: `/api/admin/audit${path}`, headers: auth });
  const names = (items: Array<{ details: { name?: string } }>) => items.map((item) => item.details.name);

  it('lists oldest first on asking, and pages in that order to the last edge', async () => {
    const pages: unknown[][] = [];
    let cursor = '';
    do {
      const body = (
        await get(`?action=export_test.step&sort=time&order=asc&limit=2&cursor=${cursor}`)
      ).json();
      pages.push(names(body.items));
      cursor = body.next_cursor ?? '';
    } while (cursor);
    expect(pages).toEqual([['one', 'two'], ['three', 'four'], ['five']]);
    const newest = (await get('?action=export_test.step&order=desc&limit=5')).json();
    expect(names(newest.items)).toEqual(['five', 'four', 'three', 'two', 'one']);
    expect(newest.next_cursor).toBeNull();
  });

  it('refuses an unknown sort or order naming it', async () => {
    expect(failedFields(await get('?sort=actor'))).toEqual(['querystring:/sort']);
    expect(failedFields(await get('?order=sideways'))).toEqual(['querystring:/order']);
  });

  it('exports only the events matching the filters, as CSV', async () => {
    const response = await get('.csv?action=export_test.*&order=asc');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename=audit-log.csv');
    const [header, ...rows] = response.body.split('\r\n');
    expect(header).toBe(
      'id,created_at,actor_type,actor_id,actor_name,action,outcome,target_type,target_id,target_name,client_id,client_name,ip,user_agent,request_id,details',
    );
    expect(rows.at(-1)).toBe('');
    expect(rows.filter((row) => row.includes('export_test.step'))).toHaveLength(5);
    const failure = response.body.slice(response.body.indexOf('u-1,'));
    // The formula-looking actor name is text; the user agent's comma and the details' quotes are quoted.
    expect(failure).toContain(`u-1,"'=cmd|"" /C calc""!A0",export_test.failure,failure,`);
    expect(failure).toContain(',"Mozilla/5.0 (X11, Linux)",');
    expect(failure).toContain('"{""note"":""first, second""}"\r\n');
    expect((await get('.csv?action=export_test.failure')).body.split('\r\n')).toHaveLength(3);
  });

  it('exports a header alone when nothing matches, refuses a bad filter as a problem, needs admin:read', async () => {
    expect((await get('.csv?action=nothing.here')).body).toMatch(/^id,created_at,[a-z_,]+\r\n$/);
    const bad = await get('.csv?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/admin/audit.csv' });
    expect(anonymous.statusCode).toBe(401);
  });
});
