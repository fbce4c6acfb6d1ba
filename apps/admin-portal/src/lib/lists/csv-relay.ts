import { can } from '../access/permissions.ts';
import { type AdminApi, adminApi } from '../admin-api/client.ts';
import type { Query } from '../api/client.ts';
import { parseProblem } from '../api/problem.ts';
import { problemResponse } from '../http/problem.ts';
import { currentSession } from '../session/current.ts';

// The console's CSV downloads: a route handler (same origin, the session cookie) asks the admin API's export
// with the session's own token on the internal URL and streams the file on; the token never reaches the
// browser. The proxy (src/proxy.ts) has refreshed the session before this runs.

// The admin API names its files; anything else is not passed on as a header.
const ATTACHMENT = /^attachment; filename=[A-Za-z0-9._-]{1,64}$/;

/**
 * The admin API's CSV export at `apiPath`, relayed to the browser as a download. `queryOf` builds the query
 * once the session may read (it can ask the API itself, e.g. for a user named in a filter).
 */
export async function relayCsv(
  request: Request,
  apiPath: string,
  queryOf: (api: AdminApi) => Query | Promise<Query>,
): Promise<Response> {
  const session = await currentSession();
  if (!session) return problemResponse(401, 'Unauthorized', 'Sign in again to export.');
  if (!can(session.permissions, 'admin:read'))
    return problemResponse(403, 'Forbidden', 'Exports need admin:read.');
  const api = adminApi(session);
  let upstream: Response;
  try {
    const query = await queryOf(api);
    upstream = await api.download(apiPath, query, 'text/csv, application/problem+json', request.signal);
  } catch {
    return problemResponse(502, 'Bad Gateway', 'The admin API did not answer.');
  }
  if (!upstream.ok || !upstream.body) {
    const problem = parseProblem(await upstream.text());
    const status = [400, 401, 403].includes(upstream.status) ? upstream.status : 502;
    return problemResponse(status, problem.title ?? 'Export refused', problem.detail);
  }
  const disposition = upstream.headers.get('content-disposition') ?? '';
  return new Response(upstream.body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': ATTACHMENT.test(disposition) ? disposition : 'attachment; filename=export.csv',
      'cache-control': 'no-store',
    },
  });
}
