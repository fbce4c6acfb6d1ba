import { request as httpRequest } from 'node:http';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from '../test/harness.ts';

/** Reads an SSE stream until `stop` says so; returns the parsed events. */
function readStream(
  url: string,
  token: string,
  headers: Record<string, string>,
  stop: (events: Json[]) => boolean,
): Promise<{ status: number; events: Json[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      const events: Json[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          const id = block.split('\n').find((line) => line.startsWith('id: '));
          if (data) events.push({ ...JSON.parse(data.slice(6)), sseId: id?.slice(4) });
          end = buffer.indexOf('\n\n');
        }
        if (stop(events)) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, events });
        }
      });
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.setTimeout(10_000, () => reject(new Error(`stream timed out`)));
    req.end();
  });
}

describeEachDialect('runs API', (temp) => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    await h.define({
      id: 'gate',
      steps: [
        { id: 'prep', type: 'noop' },
        { id: 'ok', type: 'approval', dependsOn: ['prep'] },
        { id: 'done', type: 'noop', dependsOn: ['ok'] },
      ],
    });
  });
  afterAll(async () => h?.close());

  it('streams a run’s events live over SSE, and resumes after Last-Event-ID', async () => {
    const runId = await h.start('gate');
    await h.waitFor(runId, ['waiting']);
    const token = await h.token();
    const streamed = readStream(`${base}/flow/api/v1/runs/${runId}/events/stream`, token, {}, (events) =>
      events.some((e) => e.type === 'run.succeeded'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.call('POST', `/flow/api/v1/runs/${runId}/steps/ok/decision`, { decision: 'approve' });
    const { status, events } = await streamed;
    expect(status).toBe(200);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['run.created', 'run.started']);
    expect(types).toContain('step.waiting');
    expect(types).toContain('step.decided');
    expect(types.at(-1)).toBe('run.succeeded');
    expect(events.map((e) => Number(e.sseId))).toEqual(events.map((e) => e.seq));
    const history = (await h.call('GET', `/flow/api/v1/runs/${runId}/events`)).body.events;
    expect(history.map((e: Json) => e.type)).toEqual(types);
    const resumed = await readStream(
      `${base}/flow/api/v1/runs/${runId}/events/stream`,
      token,
      { 'last-event-id': String(history.length - 2) },
      (e) => e.length >= 2,
    );
    expect(resumed.events.map((e) => e.seq)).toEqual([history.length - 1, history.length]);
  });

  it('lists runs newest first with a cursor, filters by state, and shows step attempts', async () => {
    const ids = [await h.start('gate'), await h.start('gate'), await h.start('gate')];
    const page1 = await h.call('GET', '/flow/api/v1/runs?definition=gate&limit=2');
    expect(page1.body.runs).toHaveLength(2);
    const page2 = await h.call(
      'GET',
      `/flow/api/v1/runs?definition=gate&limit=2&cursor=${page1.body.next_cursor}`,
    );
    const seen = [...page1.body.runs, ...page2.body.runs].map((r: Json) => r.id);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await h.call('GET', '/flow/api/v1/runs?cursor=garbage')).status).toBe(400);
    // Every cursor the document admits is answered: empty is the first page, one past every run is empty.
    const first = await h.call('GET', '/flow/api/v1/runs?definition=gate&limit=2&cursor=');
    expect(first.body.runs).toEqual(page1.body.runs);
    const past = await h.call('GET', '/flow/api/v1/runs?cursor=0:00000000-0000-0000-0000-000000000000');
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ runs: [], next_cursor: null });
    expect((await h.call('GET', '/flow/api/v1/runs?state=exploded')).status).toBe(400);
    await h.waitFor(ids[0] as string, ['waiting']);
    const waiting = await h.call('GET', '/flow/api/v1/runs?state=waiting&definition=gate');
    expect(waiting.body.runs.every((r: Json) => r.state === 'waiting')).toBe(true);
    const run = (await h.call('GET', `/flow/api/v1/runs/${ids[0]}`)).body;
    expect(run.steps.map((s: Json) => [s.id, s.depends_on, s.state])).toEqual([
      ['prep', [], 'succeeded'],
      ['ok', ['prep'], 'waiting'],
      ['done', ['ok'], 'pending'],
    ]);
    const step = (await h.call('GET', `/flow/api/v1/runs/${ids[0]}/steps/prep`)).body;
    expect(step.attempts).toEqual([expect.objectContaining({ attempt: 1, state: 'succeeded', error: null })]);
    expect((await h.call('GET', `/flow/api/v1/runs/${ids[0]}/steps/nope`)).status).toBe(404);
    expect((await h.call('GET', '/flow/api/v1/runs/not-a-uuid')).status).toBe(400);
    for (const id of ids) await h.call('POST', `/flow/api/v1/runs/${id}/cancel`);
  });

  it('exports run, step, queue and dispatch metrics', async () => {
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/flow_runs_started_total\{trigger="api"\} [1-9]/);
    expect(metrics).toMatch(/flow_runs_completed_total\{state="succeeded"\} [1-9]/);
    expect(metrics).toMatch(/flow_runs_completed_total\{state="cancelled"\} [1-9]/);
    expect(metrics).toMatch(/flow_step_duration_seconds_bucket\{le="[^"]+",type="noop",state="succeeded"\}/);
    expect(metrics).toMatch(/flow_dispatch_latency_seconds_count [1-9]/);
    expect(metrics).toMatch(/flow_queue_depth \d+/);
  });
});
