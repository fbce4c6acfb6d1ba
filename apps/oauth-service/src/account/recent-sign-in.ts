import { HttpError } from '@platform/http';
import type { onRequestHookHandler } from 'fastify';

// A change that would let whoever holds a console session keep the account (a new factor, a factor or a
// linked sign-in removed, new recovery codes) needs a recent sign-in, not just a live session: the token's
// `auth_time` (the session's last sign-in, session-claim.ts) within ACCOUNT_REAUTH_SECONDS. A token
// without `auth_time` is treated as an old sign-in. The console answers the problem by sending the user
// through the authorization endpoint again with `max_age=0` (ADR 0040).

export const REAUTHENTICATION_REQUIRED = 'reauthentication_required';

/** The OpenAPI description of a route that needs a recent sign-in. */
export const RECENT_SIGN_IN_NOTE =
  `Needs a recent sign-in: when the token's \`auth_time\` is older than ACCOUNT_REAUTH_SECONDS, the answer ` +
  `is 403 with the problem code \`${REAUTHENTICATION_REQUIRED}\` (and \`maxAge\`, the window in seconds); ` +
  'sign in again (`max_age=0`) and retry.';

export function requireRecentSignIn(
  windowSeconds: number,
  now: () => number = () => Date.now(),
): onRequestHookHandler {
  return async (request) => {
    // The account guard ran first, so the token is there and names a user.
    const authTime = request.token!.claims.auth_time;
    const age = typeof authTime === 'number' ? Math.floor(now() / 1000) - authTime : Number.POSITIVE_INFINITY;
    if (age <= windowSeconds) return;
    throw new HttpError({
      status: 403,
      code: REAUTHENTICATION_REQUIRED,
      detail: 'This change needs a recent sign-in: sign in again, then retry.',
      extensions: { maxAge: windowSeconds },
    });
  };
}

/** A route schema marked, in its OpenAPI description, as needing a recent sign-in. */
export const needsRecentSignIn = <S extends object>(schema: S): S & { description: string } => ({
  ...schema,
  description: RECENT_SIGN_IN_NOTE,
});
