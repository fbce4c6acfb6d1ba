import { readFileSync } from 'node:fs';
import {
  boolean,
  ConfigError,
  httpUrl,
  list,
  loadConfig,
  resourceServerShape,
  resourceServerUrls,
  serviceShape,
  z,
} from '@platform/config';

const ms = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

/** `http(s)://host[:port]`, or `http(s)://*.domain[:port]` for any subdomain; nothing after the port. */
const ORIGIN_PATTERN = /^https?:\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;
const RESOURCE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}(=https?:\/\/[^/\s]+)?$/i;

const originList = list().pipe(
  z.array(z.string().regex(ORIGIN_PATTERN, 'each entry must be an origin such as https://api.example.com')),
);
const resourceList = list(['kline', 'flow', 'test']).pipe(
  z.array(
    z
      .string()
      .regex(
        RESOURCE_PATTERN,
        'each entry must be a resource name, or name=internal origin (test=http://test-service:3005)',
      ),
  ),
);

// flow-service's whole configuration, validated once at start-up (README, "Configuration").
export const configShape = {
  ...serviceShape('flow-service', 3004),
  ...resourceServerShape,
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
  /**
   * Origins http steps may call besides the platform's resource servers (comma-separated). An exact origin
   * is trusted as listed, even on a private address; `https://*.example.com` matches subdomains, whose
   * resolved addresses must be public.
   */
  FLOW_HTTP_ALLOWED_ORIGINS: originList,
  /**
   * The platform's resource servers steps may get a token for: names under PUBLIC_URL (PUBLIC_URL/<name>),
   * each optionally with the internal origin that serves it (`test=http://test-service:3005`).
   */
  FLOW_RESOURCE_SERVERS: resourceList,
  /** Largest http step response body read; a longer one fails the step and is not kept. */
  FLOW_HTTP_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(256 * 1024),
  /** oauth-service's admin API (internal URL), asked for a definition author's current scopes. */
  OAUTH_ADMIN_URL: httpUrl.optional(),
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
  return {
    ...raw,
    FLOW_CLIENT_SECRET:
      raw.FLOW_CLIENT_SECRET ??
      (options.readSecret === false ? undefined : secretFromFile(raw.FLOW_CLIENT_SECRET_FILE)),
    ...resourceServerUrls(raw, 'flow'),
    OAUTH_ADMIN_URL: (raw.OAUTH_ADMIN_URL ?? `${new URL(raw.OAUTH_TOKEN_URL).origin}/api/admin`).replace(
      /\/+$/,
      '',
    ),
    FLOW_RESOURCE_SERVERS: raw.FLOW_RESOURCE_SERVERS.map(resourceServer),
  };
}

/** `name` or `name=origin` → the resource server's name and the internal origin that serves it, if any. */
function resourceServer(entry: string): { name: string; origin?: string } {
  const [name, origin] = entry.split('=', 2) as [string, string | undefined];
  if (origin === undefined) return { name };
  return { name, origin: new URL(origin).origin };
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
