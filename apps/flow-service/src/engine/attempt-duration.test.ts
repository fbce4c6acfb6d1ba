import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test/harness.ts';

// An attempt of a step that waits (a delay, an approval) lasts from its first execution to its end, wait
// included: a 400 ms delay's attempt lasts at least 400 ms.
describeEachDialect('attempt duration of waiting steps', (temp) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    await h.define({ id: 'pause', steps: [{ id: 'wait', type: 'delay', input: { duration: '400ms' } }] });
  });
  afterAll(async () => h?.close());

  it('records the wait in the attempt and in the step.succeeded event', async () => {
    const runId = await h.start('pause');
    await h.waitFor(runId, ['succeeded']);
    const step = (await h.call('GET', `/flow/api/v1/runs/${runId}/steps/wait`)).body;
    expect(step.attempts).toHaveLength(1);
    expect(step.attempts[0].duration_ms).toBeGreaterThanOrEqual(400);
    const startedLate = Date.parse(step.attempts[0].started_at) - Date.parse(step.started_at);
    expect(startedLate).toBeGreaterThanOrEqual(0);
    expect(startedLate).toBeLessThan(2000);
    const events = (await h.call('GET', `/flow/api/v1/runs/${runId}/events`)).body.events;
    const succeeded = events.find((e: { type: string }) => e.type === 'step.succeeded');
    expect(succeeded.data.durationMs).toBeGreaterThanOrEqual(400);
  });
});
