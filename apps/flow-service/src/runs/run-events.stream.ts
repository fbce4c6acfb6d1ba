import { type Handler, notFound, openEventStream } from '@platform/http';
import type { EngineSignals } from '../engine/events.ts';
import type { RunsRepository } from './runs.repository.ts';
import type { streamEventsSchema } from './runs.schemas.ts';

/** How often the stream looks for events committed by other instances, which send no signal here. */
const POLL_MS = 1000;
/** Comments at this interval hold proxies and load balancers open on a quiet run. */
const KEEP_ALIVE_MS = 15_000;
const RETRY_MS = 2000;

/** Where a (re)connecting client starts: after its Last-Event-ID, else after `?after=`, else from the start. */
function resumeAfter(lastEventId: string | undefined, after: number | undefined): number {
  const header = Number.parseInt(lastEventId ?? '', 10);
  return Number.isFinite(header) && header >= 0 ? header : (after ?? 0);
}

/**
 * Streams a run's events as server-sent events, each with its sequence number as the event id. A signal
 * from this instance's engine sends new events at once; the poll finds those other instances commit.
 * `openStreams` holds a way to end each open stream, for the server's shutdown.
 */
export const streamRunEvents =
  (
    runs: RunsRepository,
    signals: EngineSignals,
    openStreams: Set<() => void>,
  ): Handler<typeof streamEventsSchema> =>
  async (request, reply) => {
    const { runId } = request.params;
    if (!(await runs.exists(runId))) throw notFound(`run ${runId} does not exist`);
    let last = resumeAfter(request.headers['last-event-id'] as string | undefined, request.query.after);
    const stream = openEventStream(request, reply, { retryMs: RETRY_MS });
    // One read at a time: a signal during a read asks for one more pass instead of a parallel read.
    let busy = false;
    let again = false;
    const pump = async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          for (const event of await runs.events(runId, last)) {
            stream.send({ id: event.seq, event: event.type, data: event });
            last = event.seq;
          }
        } while (again && !stream.ended);
      } catch {
        // The database is briefly unreachable: the next poll tries again.
      } finally {
        busy = false;
      }
    };
    const onRun = (changed: string) => {
      if (changed === runId) void pump();
    };
    signals.on('run', onRun);
    const poll = setInterval(() => void pump(), POLL_MS);
    const keepAlive = setInterval(() => {
      if (!stream.ended) reply.raw.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    const end = () => stream.end();
    openStreams.add(end);
    stream.onEnd(() => {
      signals.off('run', onRun);
      clearInterval(poll);
      clearInterval(keepAlive);
      openStreams.delete(end);
    });
    await pump();
  };
