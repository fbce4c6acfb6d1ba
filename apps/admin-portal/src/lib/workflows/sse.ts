// The portal relays flow-service's event stream to the browser's EventSource. flow-service names each event
// after its type (`event: step.waiting`); an EventSource delivers named events only to listeners registered
// for each name, and the console wants every event, including types a newer flow-service adds. So the relay
// drops the `event:` lines: every event arrives as a plain `message`, its type still in the JSON data.
// `id:` lines stay, so the browser's reconnect resumes with Last-Event-ID.

export function stripEventNames(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  const keep = (line: string) => !/^event:/.test(line);
  return new TransformStream({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const out = lines
        .filter(keep)
        .map((line) => `${line}\n`)
        .join('');
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      pending += decoder.decode();
      if (pending && keep(pending)) controller.enqueue(encoder.encode(pending));
    },
  });
}

/**
 * The stream, ended cleanly when `stop` fires (the token behind the relay expires): the browser sees a
 * complete response, not a broken one, and its EventSource reconnects as after any end of stream. The source
 * (the upstream response) is cancelled then.
 */
export function endOn(source: ReadableStream<Uint8Array>, stop: AbortSignal): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (ended) return;
    ended = true;
    controller.close();
    reader.cancel().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (stop.aborted) end(controller);
      else stop.addEventListener('abort', () => end(controller), { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) end(controller);
        else controller.enqueue(value);
      } catch (error) {
        // A read cut short by the stop is the clean end above; anything else breaks the relay.
        if (!ended) {
          ended = true;
          controller.error(error);
        }
      }
    },
    cancel(reason) {
      ended = true;
      return reader.cancel(reason);
    },
  });
}
