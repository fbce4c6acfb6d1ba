// Shared by this package's tests only (not exported): an app with sane defaults and a captured log.
import type { FastifyInstance } from 'fastify';
import { createApp } from './app.ts';
import type { AppOptions, LogStream } from './options.ts';

export interface CapturedLog extends LogStream {
  lines: string[];
  /** Every line parsed as JSON. */
  records(): Record<string, unknown>[];
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
    },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}

export interface TestApp {
  app: FastifyInstance;
  log: CapturedLog;
}

export async function buildTestApp(overrides: Partial<AppOptions> = {}): Promise<TestApp> {
  const log = captureLog();
  const app = await createApp({
    name: 'test-service',
    version: '1.2.3',
    logLevel: 'info',
    logStream: log,
    openapi: { path: '/test/openapi.json', title: 'Test service', version: '1.2.3' },
    ...overrides,
  });
  return { app, log };
}
