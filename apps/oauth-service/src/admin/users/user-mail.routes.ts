import { type App, type Handler, HttpError } from '@platform/http';
import type { FastifyRequest } from 'fastify';
import type { AccountMail, RequestContext } from '../../account-links/account-mail.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { resendInvitationSchema, sendVerificationSchema } from './user-mail.schemas.ts';

// "Send verification email" and "Resend invitation" on a user's page. The mail leaves before the answer, so
// the admin learns at once when the relay refuses it.

export const mailNotConfigured = () =>
  new HttpError({
    status: 409,
    code: 'mail_not_configured',
    title: 'Mail is not configured',
    detail:
      'This platform sends no mail: set SMTP_URL on oauth-service to send verification and invitation mails.',
  });

const relayRefused = () =>
  new HttpError({
    status: 502,
    code: 'mail_not_sent',
    detail: 'The mail server did not accept the message. Check the relay (SMTP_URL) and try again.',
  });

export const requestContext = (request: FastifyRequest): RequestContext => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  requestId: request.id,
});

function mailOrRefuse(accountMail: AccountMail | undefined): AccountMail {
  if (!accountMail) throw mailNotConfigured();
  return accountMail;
}

async function sendOrRelayError(send: () => Promise<void>) {
  try {
    await send();
  } catch {
    throw relayRefused();
  }
}

const sendVerification =
  ({ users, accountMail }: AdminDeps, { record }: AdminKit): Handler<typeof sendVerificationSchema> =>
  async (request, reply) => {
    const mail = mailOrRefuse(accountMail);
    const user = await users.get(request.params.id);
    if (user.emailVerified)
      throw new HttpError({
        status: 409,
        code: 'email_already_verified',
        detail: `${user.email} is already verified.`,
      });
    await sendOrRelayError(() => mail.sendVerification(user, requestContext(request)));
    await record(request, {
      action: 'user.verification_send',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username },
    });
    return reply.status(204).send();
  };

const resendInvitation =
  ({ users, accountMail }: AdminDeps, { record }: AdminKit): Handler<typeof resendInvitationSchema> =>
  async (request, reply) => {
    const mail = mailOrRefuse(accountMail);
    const user = await users.get(request.params.id);
    if (!user.invitationPending)
      throw new HttpError({
        status: 409,
        code: 'no_pending_invitation',
        detail: `${user.username} already has a password: there is no invitation to resend.`,
      });
    await sendOrRelayError(() => mail.sendInvitation(user, requestContext(request)));
    await record(request, {
      action: 'user.invitation_send',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username },
    });
    return reply.status(204).send();
  };

export function userMailRoutes(app: App, deps: AdminDeps, kit: AdminKit): void {
  const write = kit.guard('admin:write');
  app.post(
    '/users/:id/verification-email',
    { onRequest: write, schema: sendVerificationSchema },
    sendVerification(deps, kit),
  );
  app.post(
    '/users/:id/invitation',
    { onRequest: write, schema: resendInvitationSchema },
    resendInvitation(deps, kit),
  );
}
