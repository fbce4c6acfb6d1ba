import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, InjectBrowser, startAdminHarness } from '../admin/test-support.ts';

// A failed sign-in is audited without what was typed into the username box: people type their password there
// by mistake, and admin:read holders read the audit log.

const TYPED = 'Tr0ub4dor&3-typed-in-the-wrong-box';

describeEachDialect('the audit of failed sign-ins', (temp) => {
  let harness: AdminHarness;
  beforeAll(async () => {
    harness = await startAdminHarness(temp().url);
  });
  afterAll(() => harness?.close());

  async function failSignIn(login: string) {
    const browser = new InjectBrowser(harness.app);
    const response = await harness.postSignIn(browser, login, 'not-the-password-1');
    expect(response.payload).toContain('incorrect');
  }

  /** The newest login.failure once there are more than `count` (the service writes the audit in batches). */
  async function newestFailure(count: number) {
    for (let waited = 0; waited < 3000; waited += 25) {
      const events = await harness.auditOf('login.failure');
      if (events.length > count) return events[0]!;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no new login.failure audit event');
  }

  it('records an unknown login as unknown, without the typed text', async () => {
    await failSignIn(TYPED);
    const event = await newestFailure(0);
    expect(JSON.stringify(event)).not.toContain(TYPED);
    expect(JSON.stringify(event)).not.toContain(TYPED.slice(0, 12));
    expect(event.actorId).toBeNull();
    expect(event.actorName).toBeNull();
    expect(event.details).toMatchObject({ reason: 'invalid_credentials', login: 'unknown' });
  });

  it("records a known account's failure under its id and stored username, not the typed spelling", async () => {
    const user = await harness.createUser('carol');
    const before = (await harness.auditOf('login.failure')).length;
    await failSignIn('  CAROL ');
    const event = await newestFailure(before);
    expect(event.actorId).toBe(user.id);
    expect(event.actorName).toBe('carol');
    expect(event.details).toMatchObject({ reason: 'invalid_credentials', login: 'known' });
  });
});
