import { z } from 'zod';
import {
  databaseUrl,
  drainDelay,
  drainDelayMs,
  httpUrl,
  logFile,
  logLevel,
  nodeEnv,
  port,
} from './schemas.ts';
import { trustedProxies } from './trusted-proxies.ts';

/**
 * The variables every platform service reads the same way: how it runs (NODE_ENV, HOST, PORT), logs
 * (LOG_LEVEL, LOG_FILE), stops (SHUTDOWN_DRAIN_DELAY_MS), where its database is, the platform's public
 * origin and which proxies' forwarding headers it believes (TRUSTED_PROXIES). Each service spreads this
 * into its own shape and adds what is its own.
 */
export function serviceShape(name: string, defaultPort: number) {
  return {
    NODE_ENV: nodeEnv,
    HOST: z.string().default('0.0.0.0'),
    PORT: port(defaultPort),
    LOG_LEVEL: logLevel,
    LOG_FILE: logFile,
    SHUTDOWN_DRAIN_DELAY_MS: drainDelay,
    DATABASE_URL: databaseUrl(`file:data/${name}.db`),
    /** The platform's public origin (the gateway): the token issuer and resource identifiers derive from it. */
    PUBLIC_URL: httpUrl.default('http://localhost:8080'),
    /** The proxies (CIDR blocks) whose forwarding headers are believed: see trusted-proxies.ts. */
    TRUSTED_PROXIES: trustedProxies,
  };
}

/** What a resource server reads to verify oauth-service's access tokens (with @platform/auth). */
export const resourceServerShape = {
  /** Token issuer (`iss`); defaults to PUBLIC_URL, where oauth-service is published. */
  OAUTH_ISSUER: httpUrl.optional(),
  /** Where the token issuer's JWKS is fetched: oauth-service's internal URL, not the public one. */
  OAUTH_JWKS_URL: httpUrl.default('http://127.0.0.1:3001/oauth/jwks'),
  /** RFC 8707 resource identifier = required `aud`; defaults to PUBLIC_URL + the service's prefix. */
  TOKEN_AUDIENCE: httpUrl.optional(),
};

/** startServer's listen options from the values of `serviceShape`: host, port and the drain delay. */
export function listenOptions(config: {
  NODE_ENV: string;
  HOST: string;
  PORT: number;
  SHUTDOWN_DRAIN_DELAY_MS?: number | undefined;
}): { host: string; port: number; drainDelayMs: number } {
  return {
    host: config.HOST,
    port: config.PORT,
    drainDelayMs: drainDelayMs(config.NODE_ENV, config.SHUTDOWN_DRAIN_DELAY_MS),
  };
}

/** PUBLIC_URL without its trailing slashes: every public URL is built by appending a path to it. */
export function publicOrigin(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

/**
 * The public URLs a resource server served at PUBLIC_URL/<prefix> works with: PUBLIC_URL itself, the token
 * issuer (oauth-service is published at PUBLIC_URL) and its own resource identifier, each overridable.
 */
export function resourceServerUrls(
  config: { PUBLIC_URL: string; OAUTH_ISSUER?: string | undefined; TOKEN_AUDIENCE?: string | undefined },
  prefix: string,
): { PUBLIC_URL: string; OAUTH_ISSUER: string; TOKEN_AUDIENCE: string } {
  const publicUrl = publicOrigin(config.PUBLIC_URL);
  return {
    PUBLIC_URL: publicUrl,
    OAUTH_ISSUER: config.OAUTH_ISSUER ?? publicUrl,
    TOKEN_AUDIENCE: config.TOKEN_AUDIENCE ?? `${publicUrl}/${prefix}`,
  };
}
