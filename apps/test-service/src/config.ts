import {
  databaseUrl,
  drainDelay,
  httpUrl,
  loadConfig,
  logFile,
  logLevel,
  nodeEnv,
  port,
  z,
} from '@platform/config';

// test-service's whole configuration, validated once at start-up (see README "Environment variables").
export const configShape = {
  NODE_ENV: nodeEnv,
  HOST: z.string().default('0.0.0.0'),
  PORT: port(3005),
  LOG_LEVEL: logLevel,
  LOG_FILE: logFile,
  SHUTDOWN_DRAIN_DELAY_MS: drainDelay,
  DATABASE_URL: databaseUrl('file:data/test-service.db'),
  /** The platform's public origin (the gateway); the issuer and this resource's identifier derive from it. */
  PUBLIC_URL: httpUrl.default('http://localhost:8080'),
  /** Token issuer (`iss`); defaults to PUBLIC_URL, where oauth-service is published. */
  OAUTH_ISSUER: httpUrl.optional(),
  /** Where the issuer's JWKS is fetched: oauth-service's internal URL, not the public one. */
  OAUTH_JWKS_URL: httpUrl.default('http://127.0.0.1:3001/oauth/jwks'),
  /** RFC 8707 resource identifier = required `aud`; defaults to PUBLIC_URL + /test. */
  TOKEN_AUDIENCE: httpUrl.optional(),
};

export type TestServiceConfig = ReturnType<typeof loadTestServiceConfig>;

export function loadTestServiceConfig(env?: Record<string, string | undefined>) {
  const raw = loadConfig(configShape, env);
  const publicUrl = raw.PUBLIC_URL.replace(/\/+$/, '');
  return {
    ...raw,
    PUBLIC_URL: publicUrl,
    OAUTH_ISSUER: raw.OAUTH_ISSUER ?? publicUrl,
    TOKEN_AUDIENCE: raw.TOKEN_AUDIENCE ?? `${publicUrl}/test`,
  };
}
