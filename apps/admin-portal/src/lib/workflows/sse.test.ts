import { describe, expect, it } from 'vitest';
import { stripEventNames } from './sse.ts';

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
});
