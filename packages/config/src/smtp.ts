import { z } from 'zod';

// Outgoing mail settings. SMTP_URL carries the relay's credentials, so no message about it ever repeats the
// value: an operator sees which rule failed, a log never sees the password.

export interface SmtpSettings {
  /** The URL as given, for the mail transport only: never log it (see `smtpUrlForLogs`). */
  url: string;
  /** smtps:// opens TLS at once; smtp:// upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  host: string;
  port: number;
}

const DEFAULT_PORTS = { smtp: 587, smtps: 465 } as const;

/** The parsed relay, or the reason it is refused (a rule, never the value). */
export function parseSmtpUrl(value: string): SmtpSettings | { error: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: 'must be a URL such as smtp://user:password@mail.example.com:587' };
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'smtp' && scheme !== 'smtps') return { error: 'must start with smtp:// or smtps://' };
  if (!url.hostname) return { error: 'must name the mail server host' };
  if (url.pathname !== '' && url.pathname !== '/') return { error: 'must not have a path' };
  return {
    url: value,
    secure: scheme === 'smtps',
    host: url.hostname,
    port: url.port ? Number(url.port) : DEFAULT_PORTS[scheme],
  };
}

/** SMTP_URL: optional; unset means the platform sends no mail (and offers nothing that needs it). */
export const smtpUrl = z
  .string()
  .optional()
  .transform((value, ctx): SmtpSettings | undefined => {
    if (value === undefined) return undefined;
    const parsed = parseSmtpUrl(value);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed;
  });

/** The relay as a log may show it: scheme, host and port, never the user or the password. */
export const smtpUrlForLogs = (settings: SmtpSettings) =>
  `${settings.secure ? 'smtps' : 'smtp'}://${settings.host}:${settings.port}`;

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/** MAIL_FROM: `address@host` or `Display Name <address@host>`. */
export const mailFrom = z
  .string()
  .optional()
  .refine(
    (value) => {
      if (value === undefined) return true;
      const named = /^[^<>\r\n]*<([^<>]+)>$/.exec(value.trim());
      return ADDRESS.test(named ? (named[1] ?? '') : value.trim());
    },
    { message: 'must be an address such as no-reply@example.com or "Platform <no-reply@example.com>"' },
  );
