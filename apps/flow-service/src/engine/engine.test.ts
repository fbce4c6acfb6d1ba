// The engine through the public API, once per dialect: ordering, retries, timeouts, approvals,
// cancellation, idempotent starts, validation, concurrency and subflows.
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, type Json, startHarness, startTarget, type Target } from '../test/harness.ts';

describeEachDialect('engine', (temp) => {
  let h: Harness;
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
    const approvals = { FLOW_APPROVAL_TIMEOUT_MS: 300, FLOW_APPROVAL_DEFAULT: 'reject' } as const;
    h = await startHarness(temp().url, { ...approvals, FLOW_HTTP_ALLOWED_ORIGINS: [target.url] });
  });
  afterAll(async () => {
    await h?.close();
    await target?.close();
  });

  const events = async (runId: string) =>
    (await h.call('GET', `/flow/api/v1/runs/${runId}/events`)).body.events as Array<{
      seq: number;
      type: string;
      step: string | null;
      data: Json;
    }>;

  it('runs a linear chain in order, passing outputs through templates', async () => {
    await h.define({
      id: 'linear',
      steps: [
        { id: 'a', type: 'noop', input: { n: '{{ input.n }}', label: 'start-{{ input.n }}' } },
        {
          id: 'b',
          type: 'noop',
          dependsOn: ['a'],
          input: { prev: '{{ steps.a.output.label }}', n: '{{ steps.a.output.n }}' },
        },
        { id: 'c', type: 'noop', dependsOn: ['b'], input: { last: '{{ steps.b.output }}' } },
      ],
    });
    const runId = await h.start('linear', { n: 7 });
    const run = await h.waitFor(runId);
    expect(run.state).toBe('succeeded');
    expect(run.output).toEqual({ c: { last: { prev: 'start-7', n: 7 } } });
    const history = await events(runId);
    const finished = history.filter((e) => e.type === 'step.succeeded').map((e) => e.step);
    expect(finished).toEqual(['a', 'b', 'c']);
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history.at(-1)?.type).toBe('run.succeeded');
  });

  it('fans out and back in: the join runs once, after every branch', async () => {
    await h.define({
      id: 'fan',
      output: { total: '{{ steps.join.output }}' },
      steps: [
        { id: 'root', type: 'noop', input: { v: 1 } },
        ...['x', 'y', 'z'].map((id) => ({
          id,
          type: 'delay',
          dependsOn: ['root'],
          input: { duration: id === 'y' ? '150ms' : 20 },
        })),
        {
          id: 'join',
          type: 'noop',
          dependsOn: ['x', 'y', 'z'],
          input: { y: '{{ steps.y.output.waitedMs }}' },
        },
      ],
    });
    const runId = await h.start('fan');
    const run = await h.waitFor(runId);
    expect(run.state).toBe('succeeded');
    const history = await events(runId);
    const joinStarts = history.filter((e) => e.step === 'join' && e.type === 'step.started');
    expect(joinStarts).toHaveLength(1);
    const joinAt = history.findIndex((e) => e.step === 'join' && e.type === 'step.started');
    for (const branch of ['x', 'y', 'z'])
      expect(history.findIndex((e) => e.step === branch && e.type === 'step.succeeded')).toBeLessThan(joinAt);
    expect(run.output.total.y).toBeGreaterThanOrEqual(150);
  });

  it('retries a 5xx with exponential backoff, then succeeds; each attempt gets its own idempotency key', async () => {
    target.respond('/flaky', (n) => (n < 3 ? { status: 503 } : { status: 200, body: { done: n } }));
    await h.define({
      id: 'retry-http',
      steps: [
        {
          id: 'call',
          type: 'http',
          retry: { max: 3, backoff: 'exponential', initial: 100, maxDelay: 1000, jitter: 0 },
          input: { url: `${target.url}/flaky`, method: 'POST', body: { x: 1 }, auth: 'none' },
        },
      ],
    });
    const runId = await h.start('retry-http');
    const run = await h.waitFor(runId);
    expect(run.state).toBe('succeeded');
    expect(run.steps[0].output).toEqual({ status: 200, body: { done: 3 } });
    const calls = target.requests.filter((r) => r.path === '/flaky');
    expect(calls).toHaveLength(3);
    // Backoff: 100 ms before the 2nd attempt, 200 ms before the 3rd (jitter 0).
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(95);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(195);
    expect(calls[2]!.at - calls[1]!.at).toBeLessThan(1000);
    expect(calls.map((c) => c.headers['idempotency-key'])).toEqual(
      [1, 2, 3].map((a) => `${runId}:call:${a}`),
    );
    const step = (await h.call('GET', `/flow/api/v1/runs/${runId}/steps/call`)).body;
    expect(step.attempts.map((a: Json) => a.state)).toEqual(['failed', 'failed', 'succeeded']);
    expect(step.attempts[0].error).toMatch(/answered 503/);
  });

  it('fails at once on a 4xx by default, and the run fails', async () => {
    target.respond('/missing', () => ({ status: 404 }));
    await h.define({
      id: 'four-oh-four',
      steps: [
        {
          id: 'call',
          type: 'http',
          retry: { max: 5, initial: 10 },
          input: { url: `${target.url}/missing`, auth: 'none' },
        },
        { id: 'after', type: 'noop', dependsOn: ['call'] },
      ],
    });
    const run = await h.waitFor(await h.start('four-oh-four'));
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/step call failed: GET .*\/missing answered 404/);
    expect(target.requests.filter((r) => r.path === '/missing')).toHaveLength(1);
    expect(run.steps.map((s: Json) => s.state)).toEqual(['failed', 'cancelled']);
  });

  it('times a slow step out, retries it, and ends timed_out when retries run out', async () => {
    target.respond('/slow', () => ({ status: 200, delayMs: 2000 }));
    await h.define({
      id: 'slow',
      steps: [
        {
          id: 'call',
          type: 'http',
          timeout: 150,
          retry: { max: 1, initial: 10 },
          input: { url: `${target.url}/slow`, auth: 'none' },
        },
      ],
    });
    const started = Date.now();
    const run = await h.waitFor(await h.start('slow'));
    expect(run.state).toBe('failed');
    expect(run.steps[0].state).toBe('timed_out');
    expect(run.steps[0].attempt).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(1900);
  });

  it('ends a run that passes its deadline as timed_out', async () => {
    await h.define({
      id: 'deadline',
      deadline: 200,
      steps: [{ id: 'wait', type: 'delay', input: { duration: '10s' } }],
    });
    const run = await h.waitFor(await h.start('deadline'));
    expect(run.state).toBe('timed_out');
    expect(run.steps[0].state).toBe('cancelled');
  });

  const approvalFlow = {
    id: 'approve-me',
    steps: [
      { id: 'ask', type: 'approval', timeout: '5s', input: { message: 'ship {{ input.v }}?' } },
      { id: 'ship', type: 'noop', dependsOn: ['ask'], input: { by: '{{ steps.ask.output.by }}' } },
    ],
  };

  it('approval: waits, then an approve from a flow:approve holder lets the run finish', async () => {
    await h.define(approvalFlow);
    const runId = await h.start('approve-me', { v: 'v2' });
    const waiting = await h.waitFor(runId, ['waiting']);
    expect(waiting.steps[0].state).toBe('waiting');
    const denied = await h.call(
      'POST',
      `/flow/api/v1/runs/${runId}/steps/ask/decision`,
      { decision: 'approve' },
      { scope: 'flow:read flow:run' },
    );
    expect(denied.status).toBe(403);
    const wrongStep = await h.call('POST', `/flow/api/v1/runs/${runId}/steps/ship/decision`, {
      decision: 'approve',
    });
    expect(wrongStep.status).toBe(409);
    const bad = await h.call('POST', `/flow/api/v1/runs/${runId}/steps/ask/decision`, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    const decided = await h.call('POST', `/flow/api/v1/runs/${runId}/steps/ask/decision`, {
      decision: 'approve',
      comment: 'looks good',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({ decision: 'approve', comment: 'looks good', by: 'user-1' });
    const run = await h.waitFor(runId);
    expect(run.state).toBe('succeeded');
    expect(run.output).toEqual({ ship: { by: 'user-1' } });
    const again = await h.call('POST', `/flow/api/v1/runs/${runId}/steps/ask/decision`, {
      decision: 'reject',
    });
    expect(again.status).toBe(409);
  });

  it('approval: a reject fails the step and the run, with the comment in the error', async () => {
    const runId = await h.start('approve-me', { v: 'v3' });
    await h.waitFor(runId, ['waiting']);
    await h.call('POST', `/flow/api/v1/runs/${runId}/steps/ask/decision`, {
      decision: 'reject',
      comment: 'not today',
    });
    const run = await h.waitFor(runId);
    expect(run.state).toBe('failed');
    expect(run.steps[0].state).toBe('failed');
    expect(run.steps[0].error).toBe('rejected by user-1: not today');
    expect(run.steps[1].state).toBe('cancelled');
  });

  it('approval: without a decision it times out to the step default (approve) or the configured one (reject)', async () => {
    await h.define({
      id: 'auto-approve',
      steps: [
        { id: 'ask', type: 'approval', timeout: 150, onTimeout: 'approve' },
        { id: 'next', type: 'noop', dependsOn: ['ask'] },
      ],
    });
    await h.define({ id: 'auto-reject', steps: [{ id: 'ask', type: 'approval' }] });
    const approved = await h.waitFor(await h.start('auto-approve'));
    expect(approved.state).toBe('succeeded');
    expect(approved.steps[0].output).toMatchObject({ decision: 'approve', by: 'timeout' });
    // No timeout on the step: FLOW_APPROVAL_TIMEOUT_MS (300 ms here) and FLOW_APPROVAL_DEFAULT=reject.
    const rejected = await h.waitFor(await h.start('auto-reject'));
    expect(rejected.state).toBe('failed');
    expect(rejected.steps[0].state).toBe('timed_out');
  });

  it('cancel stops a running run, cancels its steps and refuses a second cancel', async () => {
    await h.define({
      id: 'long',
      steps: [
        { id: 'a', type: 'noop' },
        { id: 'wait', type: 'delay', dependsOn: ['a'], input: { duration: '30s' } },
        { id: 'z', type: 'noop', dependsOn: ['wait'] },
      ],
    });
    const runId = await h.start('long');
    await h.waitFor(runId, ['running']);
    // Let `a` finish so the run is mid-way.
    for (let i = 0; i < 100; i += 1) {
      const run = (await h.call('GET', `/flow/api/v1/runs/${runId}`)).body;
      if (run.steps[1].state === 'waiting') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const cancelled = await h.call('POST', `/flow/api/v1/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect(cancelled.body.steps.map((s: Json) => s.state)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    expect((await h.call('POST', `/flow/api/v1/runs/${runId}/cancel`)).status).toBe(409);
    expect(
      (await h.call('POST', '/flow/api/v1/runs/00000000-0000-4000-8000-000000000000/cancel')).status,
    ).toBe(404);
  });

  it('idempotent start: the same key returns the same run; the same key with another input is refused', async () => {
    const startLinear = (n: number, key: string) =>
      h.call(
        'POST',
        '/flow/api/v1/definitions/linear/runs',
        { input: { n } },
        { headers: { 'idempotency-key': key } },
      );
    const first = await startLinear(1, 'order-42');
    const second = await startLinear(1, 'order-42');
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => startLinear(2, 'burst')));
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    const other = await startLinear(9, 'order-42');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    const listed = await h.call('GET', '/flow/api/v1/runs?definition=linear&limit=200');
    const ids = listed.body.runs.map((r: Json) => r.id);
    expect(ids.filter((id: string) => id === first.body.id)).toHaveLength(1);
  });

  it('rejects a cycle with the path to the fault, as problem+json 400', async () => {
    const response = await h.call('POST', '/flow/api/v1/definitions', {
      id: 'cyclic',
      steps: [
        { id: 'a', type: 'noop', dependsOn: ['c'] },
        { id: 'b', type: 'noop', dependsOn: ['a'] },
        { id: 'c', type: 'noop', dependsOn: ['b'] },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe('invalid_definition');
    expect(response.body.errors).toEqual([
      { path: '/steps/0/dependsOn/0', message: 'cycle: a -> c -> b -> a' },
    ]);
    expect((await h.call('GET', '/flow/api/v1/definitions/cyclic')).status).toBe(404);
  });

  it('retry from the failed step keeps finished steps and reruns the rest; rerun starts a new run', async () => {
    target.respond('/once-broken', (n) =>
      n === 1 ? { status: 400 } : { status: 200, body: { fixed: true } },
    );
    await h.define({
      id: 'fixable',
      steps: [
        { id: 'first', type: 'noop', input: { v: 1 } },
        {
          id: 'call',
          type: 'http',
          dependsOn: ['first'],
          input: { url: `${target.url}/once-broken`, auth: 'none' },
        },
        { id: 'last', type: 'noop', dependsOn: ['call'], input: { r: '{{ steps.call.output.body }}' } },
      ],
    });
    const runId = await h.start('fixable');
    expect((await h.waitFor(runId)).state).toBe('failed');
    expect((await h.call('POST', `/flow/api/v1/runs/${runId}/rerun`)).status).toBe(201);
    const retried = await h.call('POST', `/flow/api/v1/runs/${runId}/retry`);
    expect(retried.status).toBe(200);
    const run = await h.waitFor(runId);
    expect(run.state).toBe('succeeded');
    expect(run.output).toEqual({ last: { r: { fixed: true } } });
    const history = await events(runId);
    expect(history.filter((e) => e.step === 'first' && e.type === 'step.succeeded')).toHaveLength(1);
    expect(history.some((e) => e.type === 'run.retried')).toBe(true);
    expect(run.steps[1].attempt).toBe(2);
    expect((await h.call('POST', `/flow/api/v1/runs/${runId}/retry`)).status).toBe(409);
  });

  it('holds runs beyond the concurrency limit as pending and admits them in order', async () => {
    await h.define({
      id: 'one-at-a-time',
      concurrency: 1,
      steps: [{ id: 'wait', type: 'delay', input: { duration: 100 } }],
    });
    const ids = [
      await h.start('one-at-a-time'),
      await h.start('one-at-a-time'),
      await h.start('one-at-a-time'),
    ];
    const states = await Promise.all(
      ids.map(async (id) => (await h.call('GET', `/flow/api/v1/runs/${id}`)).body.state),
    );
    expect(states).toEqual(['running', 'pending', 'pending']);
    const runs = await Promise.all(ids.map((id) => h.waitFor(id)));
    expect(runs.map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(Date.parse(runs[1].started_at)).toBeGreaterThanOrEqual(Date.parse(runs[0].finished_at));
    expect(Date.parse(runs[2].started_at)).toBeGreaterThanOrEqual(Date.parse(runs[1].finished_at));
  });

  it('runs a subflow and takes its output', async () => {
    await h.define({
      id: 'child',
      output: { doubled: '{{ input.v }}{{ input.v }}' },
      steps: [{ id: 'only', type: 'noop' }],
    });
    await h.define({
      id: 'parent',
      steps: [
        { id: 'sub', type: 'subflow', input: { definition: 'child', input: { v: '{{ input.v }}' } } },
        { id: 'use', type: 'noop', dependsOn: ['sub'], input: { got: '{{ steps.sub.output.doubled }}' } },
      ],
    });
    const run = await h.waitFor(await h.start('parent', { v: 'ab' }));
    expect(run.state).toBe('succeeded');
    expect(run.output).toEqual({ use: { got: 'abab' } });
    const child = await h.call('GET', `/flow/api/v1/runs/${run.steps[0].child_run_id}`);
    expect(child.body).toMatchObject({ state: 'succeeded', trigger: 'subflow', parent_run_id: run.id });
  });
});
