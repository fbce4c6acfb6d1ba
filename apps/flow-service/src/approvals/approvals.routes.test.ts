import { createDatabase } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed } from '../db/seed.ts';
import { type Harness, type Json, startHarness } from '../test/harness.ts';

const INBOX = '/flow/api/v1/approvals';

describeEachDialect('approvals inbox', (temp) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    const database = createDatabase(temp().url);
    await seed(database as never, 'http://localhost:8080');
    await database.close();
    await h.define({
      id: 'gate',
      name: 'Change gate',
      steps: [
        { id: 'prep', type: 'noop', input: { ticket: '{{ input.ticket }}' } },
        {
          id: 'sign-off',
          name: 'Sign-off',
          type: 'approval',
          dependsOn: ['prep'],
          input: {
            message: 'Ship {{ steps.prep.output.ticket }}?',
            details: { ticket: '{{ input.ticket }}' },
          },
        },
      ],
    });
  });
  afterAll(async () => h?.close());

  it('lists the approval steps waiting for a decision, oldest first, with the rendered message and the starter', async () => {
    const first = await h.start('gate', { ticket: 'CHG-1' });
    await h.waitFor(first, ['waiting']);
    const second = await h.start('gate', { ticket: 'CHG-2' });
    await h.waitFor(second, ['waiting']);
    const inbox = await h.call('GET', `${INBOX}?definition=gate`);
    expect(inbox.status).toBe(200);
    expect(inbox.body.next_cursor).toBeNull();
    expect(inbox.body.approvals).toEqual([
      expect.objectContaining({
        run_id: first,
        definition: 'gate',
        definition_name: 'Change gate',
        version: 1,
        step_id: 'sign-off',
        step_name: 'Sign-off',
        message: 'Ship CHG-1?',
        details: { ticket: 'CHG-1' },
        started_by: 'user-1',
        trigger: 'api',
      }),
      expect.objectContaining({ run_id: second, message: 'Ship CHG-2?' }),
    ]);
    const item = inbox.body.approvals[0];
    expect(Date.parse(item.waiting_since)).toBeGreaterThan(0);
    expect(Date.parse(item.deadline_at)).toBeGreaterThan(Date.parse(item.waiting_since));

    // A decided step leaves the inbox.
    await h.call('POST', `/flow/api/v1/runs/${first}/steps/sign-off/decision`, { decision: 'approve' });
    const after = await h.call('GET', `${INBOX}?definition=gate`);
    expect(after.body.approvals.map((a: Json) => a.run_id)).toEqual([second]);
    await h.call('POST', `/flow/api/v1/runs/${second}/cancel`);
    expect((await h.call('GET', `${INBOX}?definition=gate`)).body.approvals).toEqual([]);
  });

  it('pages with a cursor, every page disjoint', async () => {
    const ids = [await h.start('gate', { ticket: 'A' }), await h.start('gate', { ticket: 'B' })];
    ids.push(await h.start('gate', { ticket: 'C' }));
    for (const id of ids) await h.waitFor(id, ['waiting']);
    const page1 = await h.call('GET', `${INBOX}?definition=gate&limit=2`);
    expect(page1.body.approvals).toHaveLength(2);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await h.call('GET', `${INBOX}?definition=gate&limit=2&cursor=${page1.body.next_cursor}`);
    const seen = [...page1.body.approvals, ...page2.body.approvals].map((a: Json) => a.run_id);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(page2.body.next_cursor).toBeNull();
    const count = await h.call('GET', `${INBOX}/count`);
    expect(count.status).toBe(200);
    expect(count.body.waiting).toBeGreaterThanOrEqual(3);
    for (const id of ids) await h.call('POST', `/flow/api/v1/runs/${id}/cancel`);
  });

  it('answers problems for a bad query and for a caller who may not decide', async () => {
    for (const query of ['cursor=garbage', 'limit=0', 'limit=201', 'definition=Not%20an%20id', 'x=1']) {
      const bad = await h.call('GET', `${INBOX}?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const past = await h.call('GET', `${INBOX}?cursor=0:00000000-0000-0000-0000-000000000000:a`);
    expect(past.status).toBe(200);
    const reader = await h.call('GET', INBOX, undefined, { scope: 'flow:read flow:run' });
    expect(reader.status).toBe(403);
    expect(reader.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await h.call('GET', `${INBOX}/count`, undefined, { scope: 'flow:read' })).status).toBe(403);
    const anonymous = await h.app.inject({ method: 'GET', url: INBOX });
    expect(anonymous.statusCode).toBe(401);
  });

  it('renders the seeded approval-demo message in full when started with the console’s default input', async () => {
    const runId = await h.start('approval-demo', {});
    await h.waitFor(runId, ['waiting']);
    const [item] = (await h.call('GET', `${INBOX}?definition=approval-demo`)).body.approvals;
    expect(item.message).not.toMatch(/\s\?|\s$|\{\{/);
    expect(item.message).toMatch(/\?$/);
    await h.call('POST', `/flow/api/v1/runs/${runId}/cancel`);
  });
});
