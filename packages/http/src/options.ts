// The options every service passes to `createApp`, and their one-time validation. Mistakes here are
// programmer errors, so they fail loudly when the app is built instead of surfacing on some later request.

import { blockListOf } from './proxy-trust.ts';

export interface OpenApiOptions {
  /** Where the OpenAPI 3.1 JSON document is served, e.g. `/test/openapi.json`. */
  path: string;
  title: string;
  version: string;
  description?: string;
  /**
   * Further documents served beside this one, each describing only the operations under its `prefix`
   * (which this one then leaves out): one service, several APIs with audiences of their own.
   */
  documents?: OpenApiSubDocument[];
}

export interface OpenApiSubDocument {
  path: string;
  /** Operations whose path starts with one of these, e.g. `/api/account/`. */
  prefixes: string[];
  title: string;
  description?: string;
}

/** Anything pino can write to; a Node `Writable` qualifies. Tests pass one to capture log lines. */
export interface LogStream {
  write(line: string): unknown;
}

export type ReadinessCheck = () => Promise<void>;

export interface AppOptions {
  /** Service name, written as `service` on every log line. */
  name: string;
  version?: string;
  /** pino level; defaults to `info`. */
  logLevel?: string;
  /** Where log lines go; defaults to stdout. */
  logStream?: LogStream;
  /**
   * Append log lines to this file instead of stdout (LOG_FILE). SIGHUP reopens it, so logrotate's
   * `create` + `postrotate systemctl reload` (ExecReload=kill -HUP) moves writing to the new file.
   */
  logFile?: string;
  /** Largest accepted request body in bytes; defaults to 1 MiB. */
  bodyLimit?: number;
  /** Named dependency checks run by `GET /ready`, e.g. `{ database: () => db.ping() }`. */
  readiness?: Record<string, ReadinessCheck>;
  /** How long each readiness check may take before it counts as failed; defaults to 2000 ms. */
  readinessTimeoutMs?: number;
  openapi: OpenApiOptions;
  /** Runs once the server has stopped accepting and in-flight requests have finished (close the database here). */
  onClose?: () => Promise<void>;
  /**
   * CIDR blocks of the proxies whose X-Forwarded-For/-Proto/-Host are believed (TRUSTED_PROXIES): from them
   * `request.ip`, `protocol` and `host` are what the header says; from anyone else, the connection's own.
   * Unset or empty: no proxy is trusted.
   */
  trustedProxies?: readonly string[];
}

export interface ResolvedAppOptions {
  name: string;
  version: string | undefined;
  logLevel: string;
  logStream: LogStream | undefined;
  logFile: string | undefined;
  bodyLimit: number;
  readiness: Record<string, ReadinessCheck>;
  readinessTimeoutMs: number;
  openapi: OpenApiOptions;
  onClose: (() => Promise<void>) | undefined;
  trustedProxies: string[];
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_READINESS_TIMEOUT_MS = 2000;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
// Check names become JSON keys and log fields; keep them boring so they never need escaping or quoting.
const CHECK_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value.trim().length > 0;

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

function fail(message: string): never {
  throw new Error(`createApp: ${message}`);
}

/** Throws on OpenAPI options a service could not serve: paths, titles, the further documents' prefixes. */
function checkOpenApi(openapi: OpenApiOptions): void {
  if (typeof openapi !== 'object' || openapi === null) fail('`openapi` is required');
  if (!isNonEmptyString(openapi.path) || !openapi.path.startsWith('/') || /[\s?#:*]/.test(openapi.path)) {
    fail(`\`openapi.path\` must be a plain absolute path like /svc/openapi.json; got ${openapi.path}`);
  }
  if (!isNonEmptyString(openapi.title)) fail('`openapi.title` must be a non-empty string');
  if (!isNonEmptyString(openapi.version)) fail('`openapi.version` must be a non-empty string');
  if (openapi.description !== undefined && typeof openapi.description !== 'string') {
    fail('`openapi.description` must be a string when given');
  }
  for (const document of openapi.documents ?? []) {
    if (!isNonEmptyString(document.path) || !document.path.startsWith('/') || /[\s?#:*]/.test(document.path))
      fail(`\`openapi.documents\` path must be a plain absolute path; got ${document.path}`);
    if (
      !Array.isArray(document.prefixes) ||
      document.prefixes.length === 0 ||
      !document.prefixes.every((prefix) => isNonEmptyString(prefix) && prefix.startsWith('/'))
    )
      fail('`openapi.documents` prefixes must be absolute path prefixes');
    if (!isNonEmptyString(document.title)) fail('`openapi.documents` title must be a non-empty string');
  }
}

/** Validates `AppOptions` and fills in defaults. Throws an `Error` naming the first bad option. */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');

  if (!isNonEmptyString(options.name)) fail('`name` must be a non-empty string');
  if (options.version !== undefined && !isNonEmptyString(options.version)) {
    fail('`version` must be a non-empty string when given');
  }

  const logLevel = options.logLevel ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    fail(`\`logLevel\` must be one of ${[...LOG_LEVELS].join(', ')}; got ${JSON.stringify(logLevel)}`);
  }
  if (options.logStream !== undefined && typeof options.logStream?.write !== 'function') {
    fail('`logStream` must have a write(line) method');
  }

  if (options.logFile !== undefined && !isNonEmptyString(options.logFile)) {
    fail('`logFile` must be a non-empty path when given');
  }
  if (options.logFile !== undefined && options.logStream !== undefined) {
    fail('give `logStream` or `logFile`, not both');
  }

  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!isPositiveInteger(bodyLimit)) fail(`\`bodyLimit\` must be a positive integer; got ${bodyLimit}`);

  const readinessTimeoutMs = options.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  if (!isPositiveInteger(readinessTimeoutMs)) {
    fail(`\`readinessTimeoutMs\` must be a positive integer; got ${readinessTimeoutMs}`);
  }

  const readiness = options.readiness ?? {};
  if (typeof readiness !== 'object' || readiness === null || Array.isArray(readiness)) {
    fail('`readiness` must be an object of named check functions');
  }
  for (const [checkName, check] of Object.entries(readiness)) {
    if (!CHECK_NAME.test(checkName)) fail(`readiness check name ${JSON.stringify(checkName)} is not allowed`);
    if (typeof check !== 'function') fail(`readiness check "${checkName}" must be a function`);
  }

  const openapi = options.openapi;
  checkOpenApi(openapi);

  if (options.onClose !== undefined && typeof options.onClose !== 'function') {
    fail('`onClose` must be a function when given');
  }

  const trustedProxies = options.trustedProxies ?? [];
  if (!Array.isArray(trustedProxies)) fail('`trustedProxies` must be an array of CIDR blocks');
  try {
    blockListOf(trustedProxies);
  } catch (error) {
    fail(`\`trustedProxies\`: ${(error as Error).message}`);
  }

  return {
    name: options.name,
    version: options.version,
    logLevel,
    logStream: options.logStream,
    logFile: options.logFile,
    bodyLimit,
    readiness: { ...readiness },
    readinessTimeoutMs,
    openapi: { ...openapi },
    onClose: options.onClose,
    trustedProxies: [...trustedProxies],
  };
}
