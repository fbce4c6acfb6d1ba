import type { MailMessage } from './mailer.ts';

// The mails account holders receive: plain text first (every client shows it), and the same in simple HTML.
// Each carries one single-use link; none says more about the account than its holder already knows.

const escapeHtml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

interface LinkMail {
  to: string;
  subject: string;
  lead: string;
  action: string;
  link: string;
  validFor: string;
  footer: string;
}

function linkMail(mail: LinkMail): MailMessage {
  const text = `${mail.lead}\n\n${mail.action}:\n${mail.link}\n\nThe link works once, for ${mail.validFor}.\n\n${mail.footer}\n`;
  const html = `<p>${escapeHtml(mail.lead)}</p>
<p><a href="${escapeHtml(mail.link)}">${escapeHtml(mail.action)}</a></p>
<p>The link works once, for ${escapeHtml(mail.validFor)}.</p>
<p>${escapeHtml(mail.footer)}</p>`;
  return { to: mail.to, subject: mail.subject, text, html };
}

export interface AccountMailInput {
  to: string;
  username: string;
  /** Where the account lives: the platform's public host (a name, not a link that competes with `link`). */
  site: string;
  link: string;
}

export const passwordResetMail = (m: AccountMailInput) =>
  linkMail({
    to: m.to,
    subject: 'Reset your password',
    lead: `Someone asked to reset the password of ${m.username} at ${m.site}.`,
    action: 'Choose a new password',
    link: m.link,
    validFor: '30 minutes',
    footer: 'If it was not you, ignore this mail: your password stays as it is.',
  });

export const emailVerificationMail = (m: AccountMailInput) =>
  linkMail({
    to: m.to,
    subject: 'Confirm your email address',
    lead: `Confirm that this address belongs to ${m.username} at ${m.site}.`,
    action: 'Confirm my address',
    link: m.link,
    validFor: '24 hours',
    footer: 'If you have no account there, ignore this mail.',
  });

export const invitationMail = (m: AccountMailInput) =>
  linkMail({
    to: m.to,
    subject: 'You are invited: set your password',
    lead: `An account named ${m.username} was created for you at ${m.site}.`,
    action: 'Set my password',
    link: m.link,
    validFor: '72 hours',
    footer: 'If you did not expect this, ignore this mail: the account stays unusable without a password.',
  });
