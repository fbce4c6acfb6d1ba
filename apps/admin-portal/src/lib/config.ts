import {
  ConfigError,
  httpUrl,
  list,
  loadConfig,
  nodeEnv,
  port,
  secret,
  trustedProxies,
  z,
} from '@platform/config';
import { PLATFORM_NODE_ENV } from '@platform/web-session';

// admin-portal's whole configuration, validated once (src/server.ts loads it before Next.js starts, so a
// bad value stops the process with one line naming the variable). Listed in the app's README, "Configuration".
export const configShape = {
  NODE_ENV: nodeEnv,
  HOST: z.string().default('0.0.0.0'),
  PORT: port(3002),
  /** The platform's public origin (the gateway): the token issuer, and where the browser reaches the portal. */
  PUBLIC_URL: httpUrl.default('http://localhost:8080'),
  /** The gateway's addresses: only from them is X-Forwarded-For the browser's address (see server/client-address.ts). */
  TRUSTED_PROXIES: trustedProxies,
  /** The token issuer the tokens must name; defaults to PUBLIC_URL. */
  OAUTH_ISSUER: httpUrl.optional(),
  /**
   * oauth-service on the internal network: discovery, token, introspection, JWKS and the admin API are
   * called here, server to server (the ops document's compose file names it NEXT_PUBLIC_API_URL; it is read
   * at run time on the server only and never sent to the browser).
   */
  NEXT_PUBLIC_API_URL: httpUrl.default('http://127.0.0.1:3001'),
  /** The portal's public base URL (redirect URIs derive from it); defaults to PUBLIC_URL/admin. */
  ADMIN_PORTAL_URL: httpUrl.optional(),
  OAUTH_CLIENT_ID: z.string().min(1).default('admin-portal'),
  /** The admin-portal client's secret. Development: the start scripts pass the one they keep in data/. */
  OAUTH_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Encrypts the session cookie (AES-256-GCM, key derived with HKDF). */
  SESSION_SECRET: secret('admin-portal-session-secret'),
  /** kline-service on the internal network: the Markets page's REST calls and WebSocket are relayed there. */
  KLINE_API_URL: httpUrl.default('http://127.0.0.1:3003'),
  /** flow-service on the internal network: the Workflows pages call it server-side (README, "How it works"). */
  FLOW_API_URL: httpUrl.default('http://127.0.0.1:3004'),
  /** The gateway on the internal network: its /healthz (upstream health) and /metrics (loopback allowlist). */
  GATEWAY_URL: httpUrl.default('http://127.0.0.1:8080'),
  /**
   * k8s with several replicas: `http://<headless service>:<port>`, resolving to every replica; a back-channel
   * logout received by one is relayed to the others (ADR 0038). Unset with one replica.
   */
  BACKCHANNEL_LOGOUT_PEERS: httpUrl.optional(),
  /** Services whose /ready the system page shows: `name=url` pairs, comma-separated. */
  SYSTEM_SERVICES: list([
    'oauth-service=http://127.0.0.1:3001',
    'flow-service=http://127.0.0.1:3004',
    'kline-service=http://127.0.0.1:3003',
    'test-service=http://127.0.0.1:3005',
    'admin-portal=http://127.0.0.1:3002',
    'account-portal=http://127.0.0.1:3006',
  ]),
};

export interface PortalConfig {
  production: boolean;
  host: string;
  port: number;
  publicUrl: string;
  issuer: string;
  /** RFC 8707 resource indicator of the admin API: the audience of the portal's access tokens. */
  adminResource: string;
  /** Resource indicator of kline-service (the Markets page's tokens), and its public base URL. */
  klineResource: string;
  klinePublicUrl: string;
  /** kline-service's internal base URL (no path), for the Markets relay. */
  klineApiUrl: string;
  internalOAuthUrl: string;
  /** Workflows: flow-service's internal URL and its RFC 8707 resource indicator (the flow token's audience). */
  flow: { url: string; resource: string };
  portalUrl: string;
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
  gatewayUrl: string;
  services: Array<{ name: string; url: string }>;
  /** CIDR blocks whose X-Forwarded-For names the browser (TRUSTED_PROXIES). */
  trustedProxies: string[];
  /** Where back-channel logouts are relayed to the other replicas (BACKCHANNEL_LOGOUT_PEERS). */
  backchannelPeersUrl: string | undefined;
}

const trim = (url: string) => url.replace(/\/+$/, '');

export { PLATFORM_NODE_ENV };

export function parsePortalConfig(env: Record<string, string | undefined>): PortalConfig {
  const platformEnv = env[PLATFORM_NODE_ENV];
  const raw = loadConfig(configShape, platformEnv ? { ...env, NODE_ENV: platformEnv } : env);
  const publicUrl = trim(raw.PUBLIC_URL);
  const issuer = trim(raw.OAUTH_ISSUER ?? publicUrl);
  const services = raw.SYSTEM_SERVICES.map((entry) => {
    const [name, url] = entry.split('=', 2);
    if (!name || !url || !httpUrl.safeParse(url).success) {
      throw new ConfigError(
        `invalid configuration: SYSTEM_SERVICES: "${entry}" is not name=http(s)://host:port`,
        ['SYSTEM_SERVICES'],
      );
    }
    return { name, url: trim(url) };
  });
  return {
    production: raw.NODE_ENV === 'production',
    host: raw.HOST,
    port: raw.PORT,
    publicUrl,
    issuer,
    adminResource: `${issuer}/api/admin`,
    klineResource: `${issuer}/kline`,
    klinePublicUrl: `${publicUrl}/kline`,
    klineApiUrl: trim(raw.KLINE_API_URL),
    internalOAuthUrl: trim(raw.NEXT_PUBLIC_API_URL),
    flow: { url: trim(raw.FLOW_API_URL), resource: `${issuer}/flow` },
    portalUrl: trim(raw.ADMIN_PORTAL_URL ?? `${publicUrl}/admin`),
    clientId: raw.OAUTH_CLIENT_ID,
    clientSecret: raw.OAUTH_CLIENT_SECRET,
    sessionSecret: raw.SESSION_SECRET,
    gatewayUrl: trim(raw.GATEWAY_URL),
    services,
    trustedProxies: raw.TRUSTED_PROXIES,
    backchannelPeersUrl: raw.BACKCHANNEL_LOGOUT_PEERS,
  };
}

let loaded: PortalConfig | undefined;

/** The configuration, read from the environment once per process. */
export function portalConfig(): PortalConfig {
  loaded ??= parsePortalConfig(process.env);
  return loaded;
}
