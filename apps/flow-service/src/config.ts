import { readFileSync } from 'node:fs';
import {
  boolean,
  ConfigError,
  databaseUrl,
  httpUrl,
  loadConfig,
  logLevel,
  nodeEnv,
  port,
  z,
} from '@platform/config';

const ms = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

// flow-service's whole configuration, validated once at start-up (README "flow-service").
export const configShape = {
  NODE_ENV: nodeEnv,
  HOST: z.string().default('0.0.0.0'),
  PORT: port(3004),
  LOG_LEVEL: logLevel,
  DATABASE_URL: databaseUrl('file:data/flow-service.db'),
  PUBLIC_URL: httpUrl.default('http://localhost:8080'),
  OAUTH_ISSUER: httpUrl.optional(),
  OAUTH_JWKS_URL: httpUrl.default('http://127.0.0.1:3001/oauth/jwks'),
  /** RFC 8707 resource identifier = required `aud`; defaults to PUBLIC_URL + /flow. */
  TOKEN_AUDIENCE: httpUrl.optional(),
  /** oauth-service's token endpoint (internal URL) for the client_credentials tokens of http steps. */
  OAUTH_TOKEN_URL: httpUrl.default('http://127.0.0.1:3001/oauth/token'),
  FLOW_CLIENT_ID: z.string().min(1).default('flow-service'),
  /**
   * The seeded `flow-service` client's secret. Operators set it (and give oauth-service's seed the same
   * FLOW_CLIENT_SECRET); scripts/start.sh generates one per data directory in development. Without it,
   * http steps that need a token fail with a message saying so.
   */
  FLOW_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Or a file holding it (Docker-secret style; oauth-service's seed writes it when it generates one). */
  FLOW_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  /** Whether this instance executes steps (false: API and schedules only). */
  FLOW_WORKER: boolean(true),
  FLOW_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(64),
  FLOW_INSTANCE_ID: z.string().min(1).max(60).optional(),
  /** Engine loops per process on PostgreSQL (SQLite always runs one); each executes its share of the steps. */
  FLOW_ENGINE_LANES: z.coerce.number().int().min(1).max(16).default(1),
  FLOW_LEASE_MS: ms(15_000, 1000),
  FLOW_POLL_INTERVAL_MS: ms(200, 10),
  FLOW_SWEEP_INTERVAL_MS: ms(1000, 10),
  FLOW_STEP_TIMEOUT_MS: ms(30_000),
  FLOW_APPROVAL_TIMEOUT_MS: ms(24 * 3600 * 1000),
  FLOW_APPROVAL_DEFAULT: z.enum(['approve', 'reject']).default('reject'),
  /** Schedules: missed fire times younger than this are still fired after a restart (per-schedule override). */
  FLOW_SCHEDULE_CATCHUP_MS: ms(3600 * 1000, 0),
};

export type FlowServiceConfig = ReturnType<typeof loadFlowServiceConfig>;

/** `readSecret: false` for tools that need no client secret (db:push runs before the seed writes its file). */
export function loadFlowServiceConfig(
  env?: Record<string, string | undefined>,
  options: { readSecret?: boolean } = {},
) {
  const raw = loadConfig(configShape, env);
  const publicUrl = raw.PUBLIC_URL.replace(/\/+$/, '');
  return {
    ...raw,
    FLOW_CLIENT_SECRET:
      raw.FLOW_CLIENT_SECRET ??
      (options.readSecret === false ? undefined : secretFromFile(raw.FLOW_CLIENT_SECRET_FILE)),
    PUBLIC_URL: publicUrl,
    OAUTH_ISSUER: raw.OAUTH_ISSUER ?? publicUrl,
    TOKEN_AUDIENCE: raw.TOKEN_AUDIENCE ?? `${publicUrl}/flow`,
  };
}

/** Reads FLOW_CLIENT_SECRET_FILE at start-up; a named file that is missing or too short stops the process. */
function secretFromFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: FLOW_CLIENT_SECRET_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); run pnpm db:seed`,
      ['FLOW_CLIENT_SECRET_FILE'],
    );
  }
  if (secret.length < 32)
    throw new ConfigError(
      `invalid configuration: FLOW_CLIENT_SECRET_FILE: ${path} holds fewer than 32 characters`,
      ['FLOW_CLIENT_SECRET_FILE'],
    );
  return secret;
}
