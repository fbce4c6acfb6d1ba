import type { App, Handler } from '@platform/http';
import type { User } from '../accounts/users.repository.ts';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import { getProfileSchema, updateProfileSchema } from './profile.schemas.ts';
import { iso } from './schemas.ts';

// The caller's profile. Only the display name changes here: the username is their sign-in name and the
// email address needs re-verification, both an administrator's to change.

const profileView = (user: User) => ({
  id: user.id,
  username: user.username,
  name: user.displayName,
  email: user.email,
  emailVerified: user.emailVerified,
  createdAt: iso(user.createdAt),
});

const getProfile =
  ({ users }: AccountDeps): Handler<typeof getProfileSchema> =>
  async (request) =>
    profileView(await users.get(callerOf(request).id));

const updateProfile =
  ({ users }: AccountDeps, { record }: AccountKit): Handler<typeof updateProfileSchema> =>
  async (request) => {
    const { id } = callerOf(request);
    const before = await users.get(id);
    const user = await users.updateProfile(id, { displayName: request.body.name });
    if (user.displayName !== before.displayName) {
      await record(request, { action: 'user.update', details: { fields: ['display_name'] } });
    }
    return profileView(user);
  };

export function profileRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  app.get('/me', { onRequest: kit.guard, schema: getProfileSchema }, getProfile(deps));
  app.patch('/me', { onRequest: kit.guard, schema: updateProfileSchema }, updateProfile(deps, kit));
}
