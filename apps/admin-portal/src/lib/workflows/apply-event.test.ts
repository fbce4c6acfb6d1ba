import { describe, expect, it } from 'vitest';
import type { FlowEvent, RunDetail, RunStep } from '../flow-api/types.ts';
import { applyEvent, type LiveRun, parseEvent } from './apply-event.ts';

const stepOf = (id: string, depends_on: string[] = []): RunStep => ({
  id,
  name: null,
  type: id === 'request' ? 'approval' : 'noop',
  depends_on,
  state: 'pending',
  attempt: 0,
  max_attempts: 1,
  error: null,
  output: null,
  child_run_id: null,
  decision: null,
  ready_at: null,
  started_at: null,
  finished_at: null,
});

const initial = (): LiveRun => ({
  lastSeq: 0,
  run: {
    id: 'r1',
    definition: 'approval-demo',
    version: 1,
    state: 'pending',
    trigger: 'api',
    created_by: 'u',
    created_by_name: 'alice',
    error: null,
    parent_run_id: null,
    rerun_of: null,
    schedule_id: null,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    deadline_at: null,
    input: null,
    output: null,
    steps: [stepOf('request'), stepOf('apply', ['request'])],
  } satisfies RunDetail,
});

let seq = 0;
const event = (type: string, step: string | null = null, data: unknown = null): FlowEvent => ({
  seq: ++seq,
  type,
  step,
  data,
  at: `2026-01-01T00:00:0${seq % 10}.000Z`,
});

const states = (live: LiveRun) => Object.fromEntries(live.run.steps.map((s) => [s.id, s.state]));

describe('applying run events', () => {
  it('follows an approval run from start to success', () => {
    seq = 0;
    let live = initial();
    live = applyEvent(live, event('run.created'));
    live = applyEvent(live, event('run.started'));
    expect(live.run.state).toBe('running');
    live = applyEvent(live, event('step.started', 'request', { attempt: 1 }));
    expect(states(live)).toEqual({ request: 'running', apply: 'pending' });
    expect(live.run.steps[0]?.attempt).toBe(1);
    live = applyEvent(live, event('step.waiting', 'request'));
    expect(states(live).request).toBe('waiting');
    expect(live.run.state).toBe('waiting');
    live = applyEvent(
      live,
      event('step.decided', 'request', { decision: 'approve', comment: 'ok', by: 'u' }),
    );
    expect(live.run.steps[0]?.decision).toEqual({ decision: 'approve', comment: 'ok', by: 'u' });
    live = applyEvent(live, event('step.succeeded', 'request'));
    expect(live.run.state).toBe('running');
    expect(live.run.steps[0]?.finished_at).not.toBeNull();
    live = applyEvent(live, event('step.succeeded', 'apply'));
    live = applyEvent(live, event('run.succeeded'));
    expect(live.run.state).toBe('succeeded');
    expect(states(live)).toEqual({ request: 'succeeded', apply: 'succeeded' });
    expect(live.lastSeq).toBe(seq);
  });

  it('records failures with their error, retries as pending, and cancellation', () => {
    seq = 10;
    let live = applyEvent(initial(), event('run.started'));
    live = applyEvent(live, event('step.retrying', 'request', { error: 'HTTP 503', attempt: 2 }));
    expect(live.run.steps[0]).toMatchObject({ state: 'pending', error: 'HTTP 503', attempt: 2 });
    live = applyEvent(live, event('step.failed', 'request', { error: 'HTTP 503' }));
    live = applyEvent(live, event('step.cancelled', 'apply'));
    live = applyEvent(live, event('run.failed', null, { error: 'step request failed' }));
    expect(states(live)).toEqual({ request: 'failed', apply: 'cancelled' });
    expect(live.run).toMatchObject({ state: 'failed', error: 'step request failed' });
    // A retry puts the run back to running.
    live = applyEvent(live, event('run.retried', null, { steps: ['request'] }));
    expect(live.run.state).toBe('running');
    expect(live.run.finished_at).toBeNull();
  });

  it('skips events already applied (a replay after reconnecting) and ignores unknown ones', () => {
    seq = 20;
    const started = applyEvent(initial(), event('run.started'));
    const replay = { ...event('run.cancelled'), seq: started.lastSeq };
    expect(applyEvent(started, replay)).toBe(started);
    const unknown = applyEvent(started, event('step.frobnicated', 'request'));
    expect(states(unknown)).toEqual({ request: 'pending', apply: 'pending' });
    expect(unknown.lastSeq).toBe(seq);
    const otherStep = applyEvent(started, event('step.succeeded', 'nope'));
    expect(states(otherStep)).toEqual({ request: 'pending', apply: 'pending' });
  });

  it('parses only well-formed event payloads', () => {
    expect(parseEvent('{"seq":3,"type":"run.started","step":null,"data":null,"at":"x"}')).toEqual({
      seq: 3,
      type: 'run.started',
      step: null,
      data: null,
      at: 'x',
    });
    expect(parseEvent('not json')).toBeNull();
    expect(parseEvent('{"type":"run.started"}')).toBeNull();
    expect(parseEvent('{"seq":"1","type":"run.started"}')).toBeNull();
  });
});
