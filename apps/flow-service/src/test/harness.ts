import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDatabase, migrateToLatest } from '@platform/db';
import { createTestIssuer, type TestIssuer } from '@platform/testing';
import type { FastifyInstance } from 'fastify';
import { type AppConfig, type BuildOptions, buildFlowService } from '../app.ts';
import { loadFlowServiceConfig } from '../config.ts';
import { migrations } from '../db/migrations.ts';

// biome-ignore lint/suspicious/noExplicitAny: API responses in tests are asserted field by field.
export type Json = any;

export const AUDIENCE = 'http://localhost:8080/flow';
export const ALL_SCOPES = 'flow:read flow:write flow:run flow:approve';
export const CLIENT_SECRET = 'flow-client-secret-for-tests-0123456789';

export interface Harness {
  app: FastifyInstance;
  issuer: TestIssuer;
  token(scope?: string, sub?: string): Promise<string>;
  /** JSON request with a token carrying every flow scope unless `scope` says otherwise. */
  call(
    method: string,
    url: string,
    body?: unknown,
    options?: { scope?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Json; headers: Record<string, unknown> }>;
  define(document: unknown): Promise<{ id: string; version: number }>;
  start(definition: string, input?: unknown, key?: string): Promise<string>;
  /** Polls until the run is in one of `states` (default: any terminal state). */
  waitFor(runId: string, states?: string[], timeoutMs?: number): Promise<Json>;
  close(): Promise<void>;
}

export async function migrate(url: string): Promise<void> {
  const database = createDatabase(url);
  await migrateToLatest(database, migrations);
  await database.close();
}

export function testConfig(
  databaseUrl: string,
  issuer: TestIssuer,
  extra: Partial<AppConfig> = {},
): AppConfig {
  const base = loadFlowServiceConfig({ DATABASE_URL: databaseUrl });
  return {
    ...base,
    LOG_LEVEL: 'silent',
    OAUTH_ISSUER: issuer.issuer,
    OAUTH_JWKS_URL: issuer.jwksUri,
    TOKEN_AUDIENCE: AUDIENCE,
    FLOW_POLL_INTERVAL_MS: 20,
    FLOW_SWEEP_INTERVAL_MS: 50,
    FLOW_LEASE_MS: 2000,
    ...extra,
  };
}

export async function startHarness(
  databaseUrl: string,
  extra: Partial<AppConfig> = {},
  options: BuildOptions = {},
): Promise<Harness> {
  await migrate(databaseUrl);
  const issuer = await createTestIssuer();
  const app = await buildFlowService(testConfig(databaseUrl, issuer, extra), options);
  await app.ready();
  const token = (scope = ALL_SCOPES, sub = 'user-1') =>
    issuer.mint({ aud: AUDIENCE, client_id: 'console', sub, scope });
  const harness: Harness = {
    app,
    issuer,
    token,
    async call(method, url, body, options = {}) {
      const response = await app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${await token(options.scope)}`, ...options.headers },
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? { payload: body }
            : { payload: body as object }),
      });
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {}
      return { status: response.statusCode, body: parsed, headers: response.headers };
    },
    async define(document) {
      const response = await harness.call('POST', '/flow/api/v1/definitions', document);
      if (response.status !== 201)
        throw new Error(`define failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async start(definition, input = {}, key) {
      const response = await harness.call(
        'POST',
        `/flow/api/v1/definitions/${definition}/runs`,
        { input },
        key ? { headers: { 'idempotency-key': key } } : {},
      );
      if (response.status !== 201 && response.status !== 200)
        throw new Error(`start failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.id;
    },
    async waitFor(runId, states = ['succeeded', 'failed', 'cancelled', 'timed_out'], timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await harness.call('GET', `/flow/api/v1/runs/${runId}`);
        if (states.includes(run.body.state)) return run.body;
        if (Date.now() > deadline)
          throw new Error(
            `run ${runId} is still ${run.body.state}: ${JSON.stringify(run.body.steps?.map((s: Json) => [s.id, s.state]))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    },
    async close() {
      await app.close();
      await issuer.close();
    },
  };
  return harness;
}

export interface Target {
  url: string;
  /** Requests received, in order. */
  requests: Array<{
    path: string;
    method: string;
    headers: IncomingMessage['headers'];
    body: string;
    at: number;
  }>;
  /** Answers per path: a status, or a function of the request number. */
  respond(path: string, answer: (n: number) => { status: number; body?: unknown; delayMs?: number }): void;
  close(): Promise<void>;
}

/** A small HTTP server standing in for the platform service an http step calls. */
export async function startTarget(): Promise<Target> {
  const requests: Target['requests'] = [];
  const answers = new Map<string, (n: number) => { status: number; body?: unknown; delayMs?: number }>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      requests.push({ path, method: req.method ?? 'GET', headers: req.headers, body, at: Date.now() });
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const answer = answers.get(path)?.(n) ?? { status: 200, body: { ok: true } };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body ?? { status: answer.status }));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (path, answer) => answers.set(path, answer),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
