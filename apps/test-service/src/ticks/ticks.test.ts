import { describeEachDialect } from '@platform/db/testing';
import { startServer } from '@platform/http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test/harness.ts';

function parseEvents(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: tick'))
    .map((block) =>
      JSON.parse(
        block
          .split('\n')
          .find((line) => line.startsWith('data: '))!
          .slice(6),
      ),
    );
}

describeEachDialect('ticks', (temp) => {
  let h: Harness;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    ({ url, close } = await startServer(h.app, { host: '127.0.0.1', port: 0 }));
  });
  afterAll(async () => {
    await close();
    await h.issuer.close();
  });

  it('streams the requested number of tick events, in order, over a real connection', async () => {
    const token = await h.token('test:read');
    const res = await fetch(`${url}/test/api/v1/ticks?interval=20&count=3`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const events = parseEvents(await res.text());
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[2].time).toBeGreaterThanOrEqual(events[0].time);
  });

  it('sends events as they happen, before the stream ends', async () => {
    const token = await h.token('test:read');
    const res = await fetch(`${url}/test/api/v1/ticks?interval=20`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: tick')) text += new TextDecoder().decode((await reader.read()).value);
    expect(parseEvents(text)[0].seq).toBe(1);
    await reader.cancel();
  });

  it('needs test:read and validates its parameters', async () => {
    expect((await fetch(`${url}/test/api/v1/ticks`)).status).toBe(401);
    const token = await h.token('test:read');
    const bad = await fetch(`${url}/test/api/v1/ticks?interval=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
