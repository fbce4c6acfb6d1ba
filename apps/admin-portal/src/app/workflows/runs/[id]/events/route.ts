import { can } from '../../../../../lib/access/permissions.ts';
import { segment } from '../../../../../lib/api/client.ts';
import { flowApi, flowToken } from '../../../../../lib/flow-api/client.ts';
import { problemResponse as problem } from '../../../../../lib/http/problem.ts';
import { currentSession } from '../../../../../lib/session/current.ts';
import { endOn, stripEventNames } from '../../../../../lib/workflows/sse.ts';

// The run's live events for the browser. A browser's EventSource cannot send a bearer token, and the token
// must not reach the browser anyway: this route (same origin, the session cookie) opens flow-service's SSE
// stream server-side with the user's flow token and relays it. The proxy (src/proxy.ts) has refreshed the
// tokens before this runs. The relay ends when the token expires; the EventSource reconnects (after the
// stream's `retry`), with Last-Event-ID, through a request that gets a fresh token.

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const session = await currentSession();
  if (!session) return problem(401, 'Sign in again to follow this run.');
  if (!can(session.permissions, 'flow:read')) return problem(403, 'Following runs needs flow:read.');
  const { id } = await context.params;
  const expiresAt = session.stored.resources?.flow?.expiresAt ?? 0;
  if (!flowToken(session)) return problem(403, 'Following runs needs flow:read.');

  // Never relay past the token's expiry: the stream is authorised once, when it opens. At expiry the relay
  // ends cleanly (endOn) and the upstream request is cancelled.
  const expired = new AbortController();
  const expiry = setTimeout(() => expired.abort(), Math.max(1_000, expiresAt * 1000 - Date.now()));
  const upstreamAbort = new AbortController();
  const abort = () => {
    clearTimeout(expiry);
    upstreamAbort.abort();
  };
  request.signal.addEventListener('abort', abort, { once: true });
  const headers: Record<string, string> = {};
  const lastEventId = request.headers.get('last-event-id');
  if (lastEventId && /^\d{1,15}$/.test(lastEventId)) headers['last-event-id'] = lastEventId;

  let upstream: Response;
  try {
    upstream = await flowApi(session).stream(
      `/runs/${segment(id)}/events/stream`,
      headers,
      upstreamAbort.signal,
    );
  } catch {
    clearTimeout(expiry);
    return problem(502, 'flow-service did not answer.');
  }
  if (!upstream.ok || !upstream.body) {
    clearTimeout(expiry);
    await upstream.body?.cancel();
    const status =
      upstream.status === 404 || upstream.status === 403 || upstream.status === 401 ? upstream.status : 502;
    return problem(status, status === 404 ? 'No such run.' : 'flow-service refused the stream.');
  }
  const body = endOn(upstream.body, expired.signal)
    .pipeThrough(stripEventNames())
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        flush() {
          clearTimeout(expiry);
        },
      }),
    );
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: Next.js's compression (and any proxy) must not buffer the stream.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
