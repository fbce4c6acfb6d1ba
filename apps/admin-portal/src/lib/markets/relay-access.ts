import { can } from '../access/permissions.ts';
import { problemResponse } from '../http/problem.ts';
import { currentSession } from '../session/current.ts';

/**
 * The session's kline token for the Markets relays, or the refusal to send: 401 without a session, 403 when
 * the session holds no kline token with kline:read.
 */
export async function klineAccess(): Promise<{ token: string } | { refusal: Response }> {
  const session = await currentSession();
  if (!session) return { refusal: problemResponse(401, 'Unauthorized', 'Sign in again.') };
  const kline = session.stored.kline;
  if (!kline || !can(session.permissions, 'kline:read'))
    return { refusal: problemResponse(403, 'Forbidden', 'Your roles do not include kline:read.') };
  return { token: kline.accessToken };
}
