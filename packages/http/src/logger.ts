import { hostname } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { destination, type LoggerOptions, stdSerializers, stdTimeFunctions } from 'pino';
import type { LogStream } from './options.ts';

export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization']);
const SECRET_FIELDS = new Set([
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code_verifier',
]);

// Our serializers never emit headers or bodies, but handlers log whatever they like (`log.info({ headers })`),
// so the usual places credentials hide are censored wherever they appear at the top or one level down:
// a secret field's value, and the credential headers inside a `headers` object.
//
// Why not pino's `redact` option with the same paths: its wildcard paths (`*.password`) cost ~10 µs on every
// line, three times the rest of the line, and every request writes one. This walk looks only at the keys the
// line has (a handful), and copies an object only when it censors something in it, so the caller's objects
// are never altered.
function censorHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  let out = headers;
  for (const key in headers) {
    if (SECRET_HEADERS.has(key.toLowerCase()) && headers[key] !== undefined) {
      if (out === headers) out = { ...headers };
      out[key] = REDACTED;
    }
  }
  return out;
}

function censorLevel(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  let out = fields;
  for (const key in fields) {
    const value = fields[key];
    let censored = value;
    if (SECRET_FIELDS.has(key)) censored = REDACTED;
    else if (key === 'headers' && isPlainObject(value)) censored = censorHeaders(value);
    else if (depth === 0 && isPlainObject(value)) censored = censorLevel(value, 1);
    if (censored !== value) {
      if (out === fields) out = { ...fields };
      out[key] = censored;
    }
  }
  return out;
}

// Only plain objects are looked into: class instances (a FastifyRequest under `req`, an Error under
// `err`) go through their serializers, which emit no credentials.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The fields of a log line with credentials censored. */
export function censor(fields: Record<string, unknown>): Record<string, unknown> {
  return censorLevel(fields, 0);
}

// A child logger's bindings (`log.child({ token })`) bypass `formatters.log`, but pino applies serializers to
// them, keyed by top-level field: the same censoring, at the top level.
const censoringSerializers: Record<string, (value: unknown) => unknown> = {
  ...Object.fromEntries([...SECRET_FIELDS].map((field) => [field, () => REDACTED])),
  headers: (value) => (isPlainObject(value) ? censorHeaders(value) : value),
};

/** Request line without its query string: OAuth puts codes, states and sometimes tokens there. */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

// Also called on whatever a handler logs under `req`, so it must not assume a FastifyRequest.
function serializeRequest(request: Partial<FastifyRequest> | undefined) {
  return {
    method: request?.method,
    url: typeof request?.url === 'string' ? pathOf(request.url) : undefined,
    host: request?.host,
    remoteAddress: request?.ip,
  };
}

let stdout: ReturnType<typeof destination> | undefined;
/** One buffered stdout destination per process, shared by every app in it. */
function stdoutDestination() {
  stdout ??= destination({ dest: 1, sync: false });
  return stdout;
}

export interface LoggerSettings {
  service: string;
  version: string | undefined;
  level: string;
  stream: LogStream | undefined;
  /** Append to this file instead of stdout; reopened on SIGHUP (log rotation). */
  file?: string | undefined;
}

const files = new Map<string, ReturnType<typeof destination>>();
/**
 * One buffered destination per log file, shared by every app in the process. After logrotate has renamed the
 * file (`create`), its `postrotate` reload sends SIGHUP: the file is reopened, so lines go to the new file.
 */
function fileDestination(path: string) {
  let file = files.get(path);
  if (!file) {
    const created = destination({ dest: path, sync: false, mkdir: true, append: true });
    if (files.size === 0)
      process.on('SIGHUP', () => {
        for (const each of files.values()) each.reopen();
      });
    files.set(path, created);
    file = created;
  }
  return file;
}

/** pino options for Fastify's `logger`: JSON lines tagged with the service, secrets censored, no bodies. */
export function loggerOptions(settings: LoggerSettings): LoggerOptions & { stream?: LogStream } {
  return {
    level: settings.level,
    base: {
      service: settings.service,
      ...(settings.version ? { version: settings.version } : {}),
      pid: process.pid,
      hostname: hostname(),
    },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { log: censor },
    serializers: {
      ...censoringSerializers,
      req: serializeRequest,
      err: stdSerializers.err,
    },
    // stdout is written asynchronously (lines queued while a write is in flight go out together): a
    // synchronous write per line cost a hot endpoint a sixth of its CPU. pino flushes the queue on exit.
    stream: settings.stream ?? (settings.file ? fileDestination(settings.file) : stdoutDestination()),
  };
}
