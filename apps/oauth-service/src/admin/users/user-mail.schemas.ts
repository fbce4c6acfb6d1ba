import { noContent, params, routeSchema } from '../schemas.ts';

// Mails the admin asks for on a user's behalf. Both answer 409 when the platform sends no mail (SMTP_URL
// unset) and 502 when the mail relay refuses the message.

const TAG = 'users';

export const sendVerificationSchema = routeSchema(
  'admin:write',
  TAG,
  'Mail the user a link (24 h, single use) that confirms their address; refused (409) when mail is not configured or the address is already verified; 502 when the mail relay refuses',
  { params: params('id'), response: noContent },
  [404, 409, 502],
);

export const resendInvitationSchema = routeSchema(
  'admin:write',
  TAG,
  'Mail an invited user a new link (72 h, single use) to set their password; older links stop working; refused (409) when mail is not configured or the user has no pending invitation; 502 when the mail relay refuses',
  { params: params('id'), response: noContent },
  [404, 409, 502],
);
