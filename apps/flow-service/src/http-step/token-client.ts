// Tokens from oauth-service for http steps, as the flow-service client: client_credentials tokens (steps
// of runs nobody started through the API), cached per (resource, scope) until shortly before they expire
// with concurrent requests for the same key sharing one token request; and tokens exchanged from the
// starting user's token (RFC 8693, ADR 0036), asked for at every step and never cached, so oauth-service
// judges the user's current roles each time (a role removed counts at the next step).

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const REFRESH_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:refresh_token';

export interface TokenClientOptions {
  tokenUrl: string;
  /** RFC 7009 revocation endpoint; by default the token URL's sibling `/revoke`. */
  revocationUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Renew this long before `expires_in` runs out, so a token never expires in flight. */
  skewMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface TokenRequest {
  resource?: string;
  scope?: string;
  /** The user's access token to exchange; absent: a client_credentials token of flow-service itself. */
  subjectToken?: string;
  /** The run's refresh token from an exchange (ADR 0036): refreshed for the step, never cached. */
  refreshToken?: string;
}

/** A refresh token a user's access token was exchanged for, and when it expires (ms since the epoch). */
export interface ExchangedRefreshToken {
  token: string;
  expiresAt: number;
}

export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  /** 5xx and network failures may pass; a 4xx (bad secret, scope not allowed) will not. */
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

export interface TokenClient {
  token(request: TokenRequest): Promise<string>;
  /** Forgets a cached token (the resource refused it). */
  invalidate(request: TokenRequest): void;
  /** Token endpoint requests made (for tests and metrics). */
  requests(): number;
  /**
   * Exchanges a user's access token for a refresh token flow-service may refresh for the run's steps;
   * null when oauth-service does not issue one (the policy lacks offline_access, it is unreachable).
   */
  refreshTokenFor(subjectToken: string): Promise<ExchangedRefreshToken | null>;
  /** Revokes a refresh token (RFC 7009); failures are the caller's to log. */
  revoke(refreshToken: string): Promise<void>;
}

interface TokenAnswer {
  access_token?: string;
  issued_token_type?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

/** The token request's form: a refresh, an exchange, or flow-service's own client_credentials. */
function grantForm(request: TokenRequest): URLSearchParams {
  const body = new URLSearchParams(
    request.refreshToken
      ? { grant_type: 'refresh_token', refresh_token: request.refreshToken }
      : request.subjectToken
        ? {
            grant_type: TOKEN_EXCHANGE_GRANT,
            subject_token: request.subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }
        : { grant_type: 'client_credentials' },
  );
  if (request.resource) body.set('resource', request.resource);
  if (request.scope) body.set('scope', request.scope);
  return body;
}

type Post = (url: string, body: URLSearchParams) => Promise<{ response: Response; payload: TokenAnswer }>;

/** POSTs a form to oauth-service as the client (HTTP Basic); `onRequest` counts the requests. */
function formPoster(options: TokenClientOptions, onRequest: () => void): Post {
  const doFetch = options.fetch ?? fetch;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
  return async (url, body) => {
    onRequest();
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: {
          authorization: basic,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new TokenRequestError(`token endpoint unreachable: ${(error as Error).message}`, true);
    }
    const payload = (await response.json().catch(() => ({}))) as TokenAnswer;
    return { response, payload };
  };
}

/** The refresh token a user's access token is exchanged for; null when none is issued or the call fails. */
async function exchangeForRefreshToken(
  post: Post,
  options: TokenClientOptions,
  subjectToken: string,
  now: () => number,
): Promise<ExchangedRefreshToken | null> {
  const { response, payload } = await post(
    options.tokenUrl,
    new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: REFRESH_TOKEN_TYPE,
    }),
  ).catch(() => ({ response: null, payload: {} as TokenAnswer }));
  if (!response?.ok || !payload.access_token || payload.issued_token_type !== REFRESH_TOKEN_TYPE) return null;
  return { token: payload.access_token, expiresAt: now() + (payload.expires_in ?? 0) * 1000 };
}

/** Revokes a refresh token at oauth-service (RFC 7009). */
async function revokeRefreshToken(post: Post, options: TokenClientOptions, token: string): Promise<void> {
  const { response } = await post(
    options.revocationUrl ?? options.tokenUrl.replace(/\/token$/, '/revoke'),
    new URLSearchParams({ token, token_type_hint: 'refresh_token' }),
  );
  if (!response.ok) throw new TokenRequestError(`revocation refused: status ${response.status}`, true);
}

export function createTokenClient(options: TokenClientOptions): TokenClient {
  const now = options.now ?? Date.now;
  const skew = options.skewMs ?? 30_000;
  const cache = new Map<string, { token: string; expiresAt: number }>();
  const inflight = new Map<string, Promise<string>>();
  let count = 0;
  const keyOf = (r: TokenRequest) => `${r.resource ?? ''} ${r.scope ?? ''}`;
  const post = formPoster(options, () => {
    count += 1;
  });

  async function fetchToken(request: TokenRequest, key: string): Promise<string> {
    const { response, payload } = await post(options.tokenUrl, grantForm(request));
    if (!response.ok || !payload.access_token) {
      const reason = payload.error
        ? `${payload.error}${payload.error_description ? ` (${payload.error_description})` : ''}`
        : `status ${response.status}`;
      const what = request.subjectToken
        ? 'token exchange'
        : request.refreshToken
          ? 'refresh'
          : 'token request';
      throw new TokenRequestError(`${what} refused: ${reason}`, response.status >= 500);
    }
    const lifetime = (payload.expires_in ?? 60) * 1000;
    if (!request.subjectToken && !request.refreshToken)
      cache.set(key, {
        token: payload.access_token,
        expiresAt: now() + Math.max(lifetime - skew, lifetime / 2),
      });
    return payload.access_token;
  }

  return {
    async token(request) {
      if (request.subjectToken || request.refreshToken) return fetchToken(request, '');
      const key = keyOf(request);
      const hit = cache.get(key);
      if (hit && hit.expiresAt > now()) return hit.token;
      const pending = inflight.get(key);
      if (pending) return pending;
      const promise = fetchToken(request, key).finally(() => inflight.delete(key));
      inflight.set(key, promise);
      return promise;
    },
    invalidate(request) {
      if (!request.subjectToken) cache.delete(keyOf(request));
    },
    requests: () => count,
    refreshTokenFor: (subjectToken) => exchangeForRefreshToken(post, options, subjectToken, now),
    revoke: (refreshToken) => revokeRefreshToken(post, options, refreshToken),
  };
}
