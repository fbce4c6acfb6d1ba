import { can } from '../../../lib/access/permissions.ts';
import { adminApi } from '../../../lib/admin-api/client.ts';
import type { User } from '../../../lib/admin-api/types.ts';
import type { CurrentSession } from '../../../lib/session/current.ts';

// Who started each run, as a person reads it: a user's username (the subject of the token that started the
// run is the user's id), "schedule" or "a parent run" for runs the platform started itself.

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Starter {
  label: string;
  /** The user's console page, when the viewer may open it. */
  href: string | null;
}

function platformStarter(subject: string): Starter {
  if (subject.startsWith('schedule:')) return { label: 'a schedule', href: null };
  if (subject.startsWith('run:'))
    return { label: 'a parent run', href: `/workflows/runs/${encodeURIComponent(subject.slice(4))}` };
  return { label: subject, href: null };
}

/** One lookup per distinct user (an inbox page names a handful); an unknown user keeps its id. */
export async function resolveStarters(
  session: CurrentSession,
  subjects: string[],
): Promise<Record<string, Starter>> {
  const starters: Record<string, Starter> = {};
  const users = [...new Set(subjects.filter((subject) => USER_ID.test(subject)))];
  const mayReadUsers = can(session.permissions, 'admin:read');
  const api = mayReadUsers ? adminApi(session) : null;
  await Promise.all(
    users.map(async (id) => {
      const user = await api?.get<User>(`/users/${encodeURIComponent(id)}`).catch(() => null);
      starters[id] = user
        ? { label: user.username, href: `/users/${encodeURIComponent(id)}` }
        : { label: session.user.sub === id ? session.user.username : id, href: null };
    }),
  );
  for (const subject of subjects) starters[subject] ??= platformStarter(subject);
  return starters;
}
