'use server';

import type { User } from '../../lib/admin-api/types.ts';
import { field, path, runAction } from '../../lib/forms/run-action.ts';
import { passwordResetSchema, userCreateSchema, userUpdateSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';

export async function createUser(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: userCreateSchema,
    async perform(api, data) {
      const user = await api.send<User>('POST', '/users', {
        username: data.username,
        email: data.email,
        // Invited users choose their own password through the mailed link.
        ...(data.invite
          ? { invite: true }
          : { password: data.password, must_change_password: data.must_change_password }),
        ...(data.display_name ? { display_name: data.display_name } : {}),
      });
      return { redirectTo: `/users/${path(user.id)}?created=1` };
    },
    revalidate: ['/users'],
  });
}

export async function updateUser(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: userUpdateSchema,
    async perform(api, data, raw) {
      await api.send('PATCH', `/users/${path(field(raw, 'id'))}`, data);
      return { message: 'Profile saved.' };
    },
    revalidate: ['/users'],
  });
}

export async function setUserStatus(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const verb = field(raw, 'verb') === 'enable' ? 'enable' : 'disable';
      await api.send('POST', `/users/${path(field(raw, 'id'))}/${verb}`);
      return { message: verb === 'enable' ? 'The account is enabled.' : 'The account is disabled.' };
    },
    revalidate: ['/users'],
  });
}

export async function resetPassword(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: passwordResetSchema,
    async perform(api, data, raw) {
      await api.send('POST', `/users/${path(field(raw, 'id'))}/password`, {
        password: data.password,
        must_change_password: data.must_change_password,
      });
      return { message: 'The password was reset.' };
    },
  });
}

/** "Send verification email" and "Resend invitation": mails a new single-use link to the user. */
export async function mailAccountLink(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const invitation = field(raw, 'kind') === 'invitation';
      await api.send(
        'POST',
        `/users/${path(field(raw, 'id'))}/${invitation ? 'invitation' : 'verification-email'}`,
      );
      return { message: invitation ? 'A new invitation was sent.' : 'A verification email was sent.' };
    },
    revalidate: ['/users'],
  });
}

export async function assignRole(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const roleId = raw.get('roleId');
      if (typeof roleId !== 'string' || !roleId)
        return { error: 'Choose a role.', fieldErrors: { roleId: 'choose a role' } };
      await api.send('PUT', `/users/${path(field(raw, 'id'))}/roles/${path(roleId)}`);
      return { message: 'Role assigned.' };
    },
    revalidate: ['/users'],
  });
}

export async function unassignRole(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/users/${path(field(raw, 'id'))}/roles/${path(field(raw, 'roleId'))}`);
      return { message: 'Role removed.' };
    },
    revalidate: ['/users'],
  });
}

export async function endSession(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/users/${path(field(raw, 'id'))}/sessions/${path(field(raw, 'sessionId'))}`);
      return { message: 'The session was ended.' };
    },
    revalidate: ['/users'],
  });
}

/** Signs the user out everywhere: sessions, grants (refresh tokens die) and remembered consents. */
export async function revokeAllAccess(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const counts = await api.send<{ consents: number; grants: number; sessions: number }>(
        'DELETE',
        `/users/${path(field(raw, 'id'))}/grants`,
      );
      return {
        message: `Signed out everywhere: ${counts.sessions} session(s) ended, ${counts.grants} grant(s) revoked.`,
      };
    },
    revalidate: ['/users'],
  });
}

export async function revokeClientGrant(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/users/${path(field(raw, 'id'))}/grants/${path(field(raw, 'clientId'))}`);
      return { message: 'Access for that client was revoked.' };
    },
    revalidate: ['/users'],
  });
}

export async function deleteUser(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/users/${path(field(raw, 'id'))}`);
      return { redirectTo: '/users' };
    },
    revalidate: ['/users'],
  });
}

/** Removes the user's TOTP, recovery codes and passkeys (a lost device). */
export async function resetFactors(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/users/${path(field(raw, 'id'))}/factors`);
      return { message: 'The second factors were reset.' };
    },
    revalidate: ['/users'],
  });
}

/** Requires (or withdraws) the enrolment of a second factor at the user's next sign-in. */
export async function setEnrolmentRequired(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const require = field(raw, 'verb') === 'require';
      await api.send(
        require ? 'POST' : 'DELETE',
        `/users/${path(field(raw, 'id'))}/factors/require-enrolment`,
      );
      return {
        message: require
          ? 'A second factor is required at the next sign-in.'
          : 'The enrolment requirement was withdrawn.',
      };
    },
    revalidate: ['/users'],
  });
}

/** Unlinks the user's sign-in at an upstream provider. */
export async function unlinkSignIn(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const provider = field(raw, 'provider');
      await api.send('DELETE', `/users/${path(field(raw, 'id'))}/linked-sign-ins/${path(provider)}`);
      return { message: `The sign-in through ${provider} was unlinked.` };
    },
    revalidate: ['/users'],
  });
}
