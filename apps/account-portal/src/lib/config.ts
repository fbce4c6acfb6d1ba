import { httpUrl, loadConfig, nodeEnv, port, secret, trustedProxies, z } from '@platform/config';
import { PLATFORM_NODE_ENV } from '@platform/web-session';

// account-portal's whole configuration, validated once (src/server.ts loads it before Next.js starts, so a
// bad value stops the process with one line naming the variable). Listed in the app's README, "Configuration".

export const configShape = {
  NODE_ENV: nodeEnv,
  HOST: z.string().default('0.0.0.0'),
  PORT: port(3006),
  /** The platform's public origin (the gateway): the token issuer, and where the browser reaches the console. */
  PUBLIC_URL: httpUrl.default('http://localhost:8080'),
  /** The gateway's addresses: only from them is X-Forwarded-For the browser's address. */
  TRUSTED_PROXIES: trustedProxies,
  /** The token issuer the tokens must name; defaults to PUBLIC_URL. */
  OAUTH_ISSUER: httpUrl.optional(),
  /** oauth-service on the internal network: discovery, token, introspection, JWKS and the account API. */
  OAUTH_INTERNAL_URL: httpUrl.default('http://127.0.0.1:3001'),
  /** The console's public base URL (redirect URIs derive from it); defaults to PUBLIC_URL/account. */
  ACCOUNT_CONSOLE_URL: httpUrl.optional(),
  ACCOUNT_CLIENT_ID: z.string().min(1).default('account-console'),
  /** The account-console client's secret. Development: the start scripts pass the one they keep in data/. */
  ACCOUNT_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Encrypts the session cookie (AES-256-GCM, key derived with HKDF). */
  SESSION_SECRET: secret('account-portal-session-secret'),
  /**
   * k8s with several replicas: `http://<headless service>:<port>`, resolving to every replica; a back-channel
   * logout received by one is relayed to the others (ADR 0038). Unset with one replica.
   */
  BACKCHANNEL_LOGOUT_PEERS: httpUrl.optional(),
};

export interface AccountConfig {
  production: boolean;
  host: string;
  port: number;
  publicUrl: string;
  issuer: string;
  /** RFC 8707 resource indicator of the account API: the audience of the console's access tokens. */
  accountResource: string;
  internalOAuthUrl: string;
  portalUrl: string;
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
  /** CIDR blocks whose X-Forwarded-For names the browser (TRUSTED_PROXIES). */
  trustedProxies: string[];
  /** Where back-channel logouts are relayed to the other replicas (BACKCHANNEL_LOGOUT_PEERS). */
  backchannelPeersUrl: string | undefined;
}

const trim = (url: string) => url.replace(/\/+$/, '');

export function parseAccountConfig(env: Record<string, string | undefined>): AccountConfig {
  const platformEnv = env[PLATFORM_NODE_ENV];
  const raw = loadConfig(configShape, platformEnv ? { ...env, NODE_ENV: platformEnv } : env);
  const publicUrl = trim(raw.PUBLIC_URL);
  const issuer = trim(raw.OAUTH_ISSUER ?? publicUrl);
  return {
    production: raw.NODE_ENV === 'production',
    host: raw.HOST,
    port: raw.PORT,
    publicUrl,
    issuer,
    accountResource: `${issuer}/api/account`,
    internalOAuthUrl: trim(raw.OAUTH_INTERNAL_URL),
    portalUrl: trim(raw.ACCOUNT_CONSOLE_URL ?? `${publicUrl}/account`),
    clientId: raw.ACCOUNT_CLIENT_ID,
    clientSecret: raw.ACCOUNT_CLIENT_SECRET,
    sessionSecret: raw.SESSION_SECRET,
    trustedProxies: raw.TRUSTED_PROXIES,
    backchannelPeersUrl: raw.BACKCHANNEL_LOGOUT_PEERS,
  };
}

let loaded: AccountConfig | undefined;

/** The configuration, read from the environment once per process. */
export function accountConfig(): AccountConfig {
  loaded ??= parseAccountConfig(process.env);
  return loaded;
}
