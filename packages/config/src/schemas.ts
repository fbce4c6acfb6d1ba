import { z } from 'zod';
import { parseDatabaseUrl } from './database-url.ts';

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** DATABASE_URL with its dialect checked now, so a typo stops start-up rather than the first query. */
export const databaseUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      try {
        parseDatabaseUrl(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });

/** Comma-separated list, trimmed, empty items dropped. */
export const list = (fallback: string[] = []) =>
  z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? fallback
        : value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
    );

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

/**
 * SHUTDOWN_DRAIN_DELAY_MS: after SIGTERM, how long a service keeps serving (health at 503, every response
 * closing its connection) before it stops accepting; see startServer's `drainDelayMs`. Unset: 2 s in
 * production, where instances run behind the gateway and restart one at a time; 0 elsewhere.
 */
export const drainDelay = z.coerce.number().int().min(0).max(20_000).optional();

export function drainDelayMs(nodeEnv: string, configured: number | undefined): number {
  return configured ?? (nodeEnv === 'production' ? 2_000 : 0);
}

/** LOG_FILE: append JSON log lines to this file instead of stdout (reopened on SIGHUP, for logrotate). */
export const logFile = z.string().min(1, 'must be a file path').optional();
