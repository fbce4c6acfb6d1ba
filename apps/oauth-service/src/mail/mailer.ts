import type { SmtpSettings } from '@platform/config';
import nodemailer from 'nodemailer';

// Outgoing mail over SMTP (nodemailer). The transport holds SMTP_URL's credentials; nothing here logs it,
// and callers log a failure by its code only (an SMTP error can quote the message, link included).

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves once the relay accepted the message; rejects with the relay's error otherwise. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

export function createSmtpMailer(settings: SmtpSettings, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: settings.url,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    logger: false,
  });
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close() {
      transport.close();
    },
  };
}

/** What a log may say about a failed send: the error's code, never its text. */
export function mailErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'EMAIL_FAILED';
}
