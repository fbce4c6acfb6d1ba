import { requireScopes } from '@platform/auth';
import { type App, type Handler, openEventStream, problemResponses } from '@platform/http';

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

const streamTicksSchema = {
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
} as const;

/** One `tick` event every `interval` ms, `count` of them or until the client leaves. */
const streamTicks =
  (open: Set<() => void>): Handler<typeof streamTicksSchema> =>
  (request, reply) => {
    const { interval, count } = request.query;
    const stream = openEventStream(request, reply, { retryMs: interval });
    let seq = 0;
    const timer = setInterval(() => {
      seq += 1;
      stream.send({ id: seq, event: 'tick', data: { seq, time: Date.now() } });
      if (count !== undefined && seq >= count) stream.end();
    }, interval);
    const end = () => stream.end();
    open.add(end);
    stream.onEnd(() => {
      clearInterval(timer);
      open.delete(end);
    });
  };

/**
 * Server-sent events, so a load or end-to-end test can hold many streams open to exercise streaming
 * through the gateway.
 */
export function tickRoutes(app: App): void {
  // Open streams end when the server shuts down, so a graceful stop does not wait on them forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get(
    '/test/api/v1/ticks',
    { preHandler: requireScopes('test:read'), schema: streamTicksSchema },
    streamTicks(open),
  );
}
