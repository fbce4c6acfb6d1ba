import { requireScopes } from '@platform/auth';
import { problemResponses } from '@platform/http';
import type { FastifyInstance } from 'fastify';

interface TicksQuery {
  interval?: number;
  count?: number;
}

const tickEvent = {
  type: 'object',
  required: ['event', 'id', 'data'],
  properties: {
    event: { const: 'tick' },
    id: { type: 'string', pattern: '^[1-9][0-9]*$' },
    data: {
      type: 'string',
      contentMediaType: 'application/json',
      contentSchema: {
        type: 'object',
        required: ['seq', 'time'],
        properties: { seq: { type: 'integer', minimum: 1 }, time: { type: 'integer' } },
      },
    },
  },
} as const;

/**
 * Server-sent events: one `tick` event every `interval` ms, `count` of them (or until the client leaves).
 * A load or end-to-end test can hold many of these open to exercise streaming through the gateway.
 */
export function tickRoutes(app: FastifyInstance): void {
  // Open streams end when the server shuts down, so a graceful stop does not wait on them forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const finish of open) finish();
  });
  app.get<{ Querystring: TicksQuery }>(
    '/test/api/v1/ticks',
    {
      preHandler: requireScopes('test:read'),
      schema: {
        summary: 'Stream ticks as server-sent events (needs test:read)',
        security: [{ bearer: ['test:read'] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            interval: { type: 'integer', minimum: 10, maximum: 60_000, default: 1000 },
            count: { type: 'integer', minimum: 1, maximum: 100_000 },
          },
        },
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'An endless (or `count`-long) stream of `tick` events.',
            // Each event as SSE parsers see it (OpenAPI 3.2 `itemSchema` semantics, which Schemathesis checks).
            content: { 'text/event-stream': { schema: tickEvent } },
          },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    (request, reply) => {
      const { interval = 1000, count } = request.query;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-request-id': request.id,
        // Tells nginx-style proxies not to buffer the stream.
        'x-accel-buffering': 'no',
      });
      raw.write(`retry: ${interval}\n\n`);
      let seq = 0;
      const send = () => {
        seq += 1;
        raw.write(`id: ${seq}\nevent: tick\ndata: ${JSON.stringify({ seq, time: Date.now() })}\n\n`);
        if (count !== undefined && seq >= count) finish();
      };
      const timer = setInterval(send, interval);
      const finish = () => {
        clearInterval(timer);
        open.delete(finish);
        if (!raw.writableEnded) raw.end();
      };
      open.add(finish);
      request.raw.on('close', finish);
    },
  );
}
