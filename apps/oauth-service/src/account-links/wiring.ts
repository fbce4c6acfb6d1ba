import { smtpUrlForLogs } from '@platform/config';
import type { App } from '@platform/http';
import type { Kysely } from 'kysely';
import { createIpRateLimiter } from '../accounts/ip-rate-limiter.ts';
import type { UsersRepository } from '../accounts/users.repository.ts';
import { createProviderPayloadsRepository } from '../admin/sessions/provider-payloads.repository.ts';
import { createUserSessions } from '../admin/sessions/user-sessions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { OAuthServiceConfig } from '../config.ts';
import type { OAuthSchema } from '../db/schema.ts';
import type { ConsentsStore } from '../interactions/consents.ts';
import { createSmtpMailer } from '../mail/mailer.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import { createAccountLinksRepository } from './account-links.repository.ts';
import { type AccountMail, createAccountMail } from './account-mail.ts';

// Reset requests a client address may make, and mails one account may be sent, per window. Enough for a
// person who mistyped or lost a mail; too few to flood an inbox or probe many addresses from one place.
export const RESET_REQUESTS_PER_ADDRESS = 5;
export const RESET_MAILS_PER_ACCOUNT = 3;
export const RESET_LIMIT_WINDOW_MS = 15 * 60_000;

export interface AccountMailWiring {
  config: Pick<OAuthServiceConfig, 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_URL'>;
  db: Kysely<OAuthSchema>;
  users: UsersRepository;
  consents: ConsentsStore;
  audit: AuditLog;
  providers: ProviderHolder;
}

/** The mailed-links service, or undefined when SMTP_URL is unset (then nothing offers mail). */
export function createAccountMailService(app: App, wiring: AccountMailWiring): AccountMail | undefined {
  const { config } = wiring;
  if (!config.SMTP_URL) return undefined;
  const mailer = createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
  app.addHook('onClose', async () => mailer.close());
  app.log.info({ relay: smtpUrlForLogs(config.SMTP_URL) }, 'account mail enabled');
  const sessions = createUserSessions({
    payloads: createProviderPayloadsRepository(wiring.db),
    provider: wiring.providers.provider,
    consents: wiring.consents,
  });
  const limiter = (limit: number) => createIpRateLimiter({ limit, windowMs: RESET_LIMIT_WINDOW_MS });
  return createAccountMail({
    links: createAccountLinksRepository(wiring.db),
    users: wiring.users,
    mailer,
    publicUrl: config.PUBLIC_URL,
    audit: wiring.audit,
    revokeAccess: async (userId) => ({ ...(await sessions.revokeGrants(userId)) }),
    limits: { perAddress: limiter(RESET_REQUESTS_PER_ADDRESS), perAccount: limiter(RESET_MAILS_PER_ACCOUNT) },
    log: app.log,
  });
}
