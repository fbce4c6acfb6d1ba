import {
  boolean,
  ConfigError,
  httpUrl,
  loadConfig,
  mailFrom,
  publicOrigin,
  secret,
  serviceShape,
  smtpUrl,
  z,
} from '@platform/config';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

// oauth-service's whole configuration, validated once at start-up (README, "Configuration").
export const configShape = {
  ...serviceShape('oauth-service', 3001),
  /** Encrypts signing keys, cookie keys and client secrets at rest (AES-256-GCM, key derived with HKDF). */
  ENCRYPTION_KEY: secret('encryption-key'),
  /** Signs the CSRF tokens of the sign-in and consent forms. */
  COOKIE_SECRET: secret('cookie-secret'),
  ACCESS_TOKEN_TTL: seconds(300),
  ID_TOKEN_TTL: seconds(3600),
  /** Absolute lifetime of a refresh token chain, however often it rotates. */
  REFRESH_TOKEN_TTL: seconds(14 * 24 * 3600),
  AUTHORIZATION_CODE_TTL: z.coerce.number().int().min(1).max(60).default(60),
  SESSION_TTL: seconds(8 * 3600),
  /** How recent a sign-in must be for a sensitive account change (new factor, unlink; ADR 0040). */
  ACCOUNT_REAUTH_SECONDS: seconds(300),
  /** Failed sign-ins before an account locks, and for how long. */
  LOGIN_MAX_FAILURES: count(5),
  LOGIN_LOCK_MINUTES: count(15),
  /** Sign-in attempts allowed per client IP per minute. */
  LOGIN_IP_LIMIT_PER_MINUTE: count(20),
  /** Dynamic client registration (RFC 7591/7592): off unless enabled, and then only with this token. */
  REGISTRATION_ENABLED: boolean(false),
  REGISTRATION_INITIAL_ACCESS_TOKEN: z.string().min(32).optional(),
  /** Seed: the admin account. Without a password, the seed generates one and prints it once. */
  ADMIN_USERNAME: z.string().min(3).default('admin'),
  ADMIN_EMAIL: z.email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(12).optional(),
  /** Seed: the admin-portal client's secret (admin-portal is given the same value as OAUTH_CLIENT_SECRET); generated when absent. */
  OAUTH_CLIENT_SECRET: z.string().min(32).optional(),
  /**
   * Seed: the flow-service machine client's secret; generated (and printed once) when absent. Give
   * flow-service the same value. FLOW_CLIENT_SECRET_FILE instead names a file the seed writes a generated
   * secret to (mode 0600) and flow-service reads; the start-up scripts use data/flow-client-secret.
   */
  FLOW_CLIENT_SECRET: z.string().min(32).optional(),
  FLOW_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  /**
   * Outgoing mail (password reset, email verification, invitations). Unset: no mail, and the sign-in page
   * offers no reset link. Holds the relay's credentials: never logged.
   */
  SMTP_URL: smtpUrl,
  /** Sender of those mails; default no-reply@ the PUBLIC_URL host. */
  MAIL_FROM: mailFrom,
  /** Seed: admin-portal's redirect base (its public URL). */
  ADMIN_PORTAL_URL: httpUrl.optional(),
  /** Seed: the account-console client's secret (account-portal is given the same value); generated when absent. */
  ACCOUNT_CLIENT_SECRET: z.string().min(32).optional(),
  /** Seed: the account console's redirect base (its public URL). */
  ACCOUNT_CONSOLE_URL: httpUrl.optional(),
};

export type OAuthServiceConfig = ReturnType<typeof loadOAuthServiceConfig>;

export function loadOAuthServiceConfig(env?: Record<string, string | undefined>) {
  const raw = loadConfig(configShape, env);
  const publicUrl = publicOrigin(raw.PUBLIC_URL);
  if (raw.REGISTRATION_ENABLED && !raw.REGISTRATION_INITIAL_ACCESS_TOKEN) {
    throw new ConfigError(
      'invalid configuration: REGISTRATION_INITIAL_ACCESS_TOKEN: is required when REGISTRATION_ENABLED=true',
      ['REGISTRATION_INITIAL_ACCESS_TOKEN'],
    );
  }
  return {
    ...raw,
    PUBLIC_URL: publicUrl,
    MAIL_FROM: raw.MAIL_FROM ?? `no-reply@${new URL(publicUrl).hostname}`,
    ADMIN_PORTAL_URL: (raw.ADMIN_PORTAL_URL ?? `${publicUrl}/admin`).replace(/\/+$/, ''),
    ACCOUNT_CONSOLE_URL: (raw.ACCOUNT_CONSOLE_URL ?? `${publicUrl}/account`).replace(/\/+$/, ''),
  };
}
