import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from './request-id.ts';

/** One server-sent event: `id` lets a reconnecting client resume with `Last-Event-ID`. */
export interface ServerSentEvent {
  id?: number | string;
  event: string;
  data: unknown;
}

export interface EventStream {
  /** Writes one event, `data` as JSON; a no-op once the stream ended. */
  send(event: ServerSentEvent): void;
  /** Ends the response (idempotent). */
  end(): void;
  /** True once the stream ended, by `end()` or because the client went away. */
  readonly ended: boolean;
  /** Runs `listener` once when the stream ends, whichever side ends it. */
  onEnd(listener: () => void): void;
}

export interface EventStreamOptions {
  /** The reconnection delay announced to the client (`retry:`), in milliseconds. */
  retryMs: number;
}

/**
 * Takes the response over from Fastify and opens a `text/event-stream` on it: headers that keep caches
 * and buffering proxies (`X-Accel-Buffering`) out of the way, the request id, and the client's retry delay.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: EventStreamOptions,
): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    [REQUEST_ID_HEADER]: request.id,
    'x-accel-buffering': 'no',
  });
  raw.write(`retry: ${options.retryMs}\n\n`);

  const listeners: Array<() => void> = [];
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    if (!raw.writableEnded) raw.end();
    for (const listener of listeners.splice(0)) listener();
  };
  request.raw.on('close', finish);

  return {
    send({ id, event, data }) {
      if (ended) return;
      const idLine = id === undefined ? '' : `id: ${id}\n`;
      raw.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end: finish,
    get ended() {
      return ended;
    },
    onEnd(listener) {
      if (ended) listener();
      else listeners.push(listener);
    },
  };
}
