import { describe, expect, it } from 'vitest';
import { endOn, stripEventNames } from './sse.ts';

async function relay(chunks: Array<string | Uint8Array>): Promise<string> {
  const encoder = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks)
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
  return new Response(source.pipeThrough(stripEventNames())).text();
}

describe('SSE relay', () => {
  it('drops event names and keeps ids, data, comments and the blank line ending each event', async () => {
    const upstream = 'retry: 2000\n\nid: 1\nevent: run.started\ndata: {"seq":1}\n\n: keep-alive\n\n';
    expect(await relay([upstream])).toBe('retry: 2000\n\nid: 1\ndata: {"seq":1}\n\n: keep-alive\n\n');
  });

  it('handles lines split across chunks, even inside the field name or a multi-byte character', async () => {
    const text = 'id: 7\nevent: step.waiting\ndata: {"msg":"approuvé ✓"}\n\n';
    const bytes = new TextEncoder().encode(text);
    // Split every three bytes, through the middle of multi-byte characters.
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 3) pieces.push(bytes.slice(i, i + 3));
    expect(await relay(['id: 7\nev', 'ent: step.waiting\nda', 'ta: {"msg":"approuvé ✓"}\n', '\n'])).toBe(
      'id: 7\ndata: {"msg":"approuvé ✓"}\n\n',
    );
    expect(await relay(pieces)).toBe('id: 7\ndata: {"msg":"approuvé ✓"}\n\n');
  });

  it('ends the relay cleanly when told to stop, keeping what was sent, and cancels the source', async () => {
    const encoder = new TextEncoder();
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('id: 1\ndata: {}\n\n'));
        // and then nothing more: an idle run
      },
      cancel() {
        cancelled = true;
      },
    });
    const stop = new AbortController();
    const text = new Response(endOn(source, stop.signal)).text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cancelled).toBe(false);
    stop.abort();
    expect(await text).toBe('id: 1\ndata: {}\n\n');
    expect(cancelled).toBe(true);
  });

  it('passes a source that ends by itself through whole, and a broken source stays broken', async () => {
    const whole = new Response('retry: 2000\n\n').body!;
    expect(await new Response(endOn(whole, new AbortController().signal)).text()).toBe('retry: 2000\n\n');
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    await expect(new Response(endOn(broken, new AbortController().signal)).text()).rejects.toThrow(
      'connection reset',
    );
  });
});
