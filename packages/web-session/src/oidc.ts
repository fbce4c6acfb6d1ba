import * as oidc from 'openid-client';

// A console is a confidential OAuth client (client_secret_basic) using the authorization code flow with
// PKCE. The browser goes to the public authorization and end-session endpoints (through the gateway);
// every server-to-server call (token, introspection, revocation, JWKS) goes to oauth-service's internal
// URL, so a console does not depend on the gateway to talk to its own identity provider.

const SERVER_TO_SERVER = [
  'token_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'pushed_authorization_request_endpoint',
] as const;
const BROWSER = ['authorization_endpoint', 'end_session_endpoint'] as const;

/** What a console's OIDC client needs to know. */
export interface OidcClientConfig {
  /** The token issuer (PUBLIC_URL unless set apart). */
  issuer: string;
  /** oauth-service on the internal network. */
  internalOAuthUrl: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The provider metadata as a console uses it: server-to-server endpoints on the internal URL, browser
 * endpoints on the public origin. oauth-service builds endpoint URLs from the host it was reached on (it
 * trusts X-Forwarded-* behind the gateway), so both are rebuilt from their paths; the token issuer must match.
 */
export function internalMetadata(
  metadata: oidc.ServerMetadata,
  config: Pick<OidcClientConfig, 'issuer' | 'internalOAuthUrl'>,
): oidc.ServerMetadata {
  if (metadata.issuer !== config.issuer) {
    throw new Error(`oauth-service announces issuer ${metadata.issuer}, expected ${config.issuer}`);
  }
  const publicOrigin = new URL(config.issuer).origin;
  const moved: Record<string, unknown> = { ...metadata };
  const rebase = (keys: readonly string[], base: string) => {
    for (const key of keys) {
      const url = moved[key];
      if (typeof url !== 'string') continue;
      const { pathname, search } = new URL(url);
      moved[key] = `${base}${pathname}${search}`;
    }
  };
  rebase(SERVER_TO_SERVER, config.internalOAuthUrl);
  rebase(BROWSER, publicOrigin);
  return moved as oidc.ServerMetadata;
}

/** Headers added to every server-to-server call, e.g. `browserForwardingHeaders` from `./forwarded`. */
export type ExtraHeaders = () => Promise<Record<string, string>>;

async function discover(config: OidcClientConfig, extraHeaders?: ExtraHeaders): Promise<oidc.Configuration> {
  const response = await fetch(`${config.internalOAuthUrl}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`oauth-service discovery answered ${response.status}`);
  const metadata = internalMetadata((await response.json()) as oidc.ServerMetadata, config);
  const configuration = new oidc.Configuration(
    metadata,
    config.clientId,
    undefined,
    oidc.ClientSecretBasic(config.clientSecret),
  );
  if (extraHeaders) {
    configuration[oidc.customFetch] = async (url, options) =>
      fetch(url, {
        ...options,
        // openid-client hands a body fetch accepts (its FetchBody is narrower than TypeScript sees).
        body: options.body as RequestInit['body'],
        headers: { ...options.headers, ...(await extraHeaders()) },
      });
  }
  // Internal calls are plain HTTP on a private network in development (loopback); the public endpoints
  // keep whatever scheme PUBLIC_URL has.
  if (config.internalOAuthUrl.startsWith('http:') || config.issuer.startsWith('http:')) {
    oidc.allowInsecureRequests(configuration);
  }
  return configuration;
}

/**
 * The client configuration, discovered once per process (again after a failure). `extraHeaders` go on its
 * token, introspection and revocation requests: a console passes the browser's forwarding headers, since a
 * refresh or revocation is the browser's doing and oauth-service records its address and User-Agent.
 */
export function createOidcConfiguration(
  config: () => OidcClientConfig,
  extraHeaders?: ExtraHeaders,
): () => Promise<oidc.Configuration> {
  let pending: Promise<oidc.Configuration> | undefined;
  return () => {
    pending ??= discover(config(), extraHeaders).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** Whether the grant behind `token` is active at oauth-service (RFC 7662). */
export async function introspectActive(configuration: oidc.Configuration, token: string): Promise<boolean> {
  const result = await oidc.tokenIntrospection(configuration, token);
  return result.active === true;
}

export { oidc };
