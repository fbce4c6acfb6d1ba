import { hostname } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { destination, type LoggerOptions, stdSerializers, stdTimeFunctions } from 'pino';
import type { LogStream } from './options.ts';

export const REDACTED = '[redacted]';

const SECRET_HEADERS = ['authorization', 'cookie', '["set-cookie"]', '["proxy-authorization"]'];
const SECRET_FIELDS = [
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code_verifier',
];

// Our serializers never emit headers or bodies, but handlers log whatever they like (`log.info({ headers })`),
// so the usual places credentials hide are censored wherever they appear at the top or one level down.
export const REDACT_PATHS = [
  ...SECRET_HEADERS.flatMap((header) => [`headers${sep(header)}`, `*.headers${sep(header)}`]),
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
];

function sep(key: string): string {
  return key.startsWith('[') ? key : `.${key}`;
}

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
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: serializeRequest,
      err: stdSerializers.err,
    },
    // stdout is written asynchronously (lines queued while a write is in flight go out together): a
    // synchronous write per line cost a hot endpoint a sixth of its CPU. pino flushes the queue on exit.
    stream: settings.stream ?? stdoutDestination(),
  };
}
