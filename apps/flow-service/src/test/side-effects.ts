import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SideEffects {
  url: string;
  tokenUrl: string;
  /** Effects applied per `<run>:<step>` (a duplicated side effect shows as 2+). */
  applied: Map<string, number>;
  /** Requests received per `<run>:<step>`, replays included. */
  received: Map<string, number>;
  /** Requests whose Idempotency-Key had already been applied (answered without applying again). */
  replays(): number;
  tokenRequests(): number;
  close(): Promise<void>;
}

/**
 * The "counting test endpoint" of the crash test: a service that honours Idempotency-Key the way a
 * platform service should (apply once per key, answer replays without applying), counts what it applied
 * per run and step, and requires a bearer token issued by its small token endpoint (client_credentials, or
 * token exchange for runs started by a user, ADR 0036). It
 * also answers oauth-service's authority endpoint, so the definition's author holds the scope its steps use.
 */
const GRANTS = new Set(['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange']);

export async function startSideEffects(options: {
  clientSecret: string;
  delayMs: number;
}): Promise<SideEffects> {
  const applied = new Map<string, number>();
  const received = new Map<string, number>();
  const keys = new Set<string>();
  const tokens = new Set<string>();
  let replays = 0;
  let tokenRequests = 0;
  const expectedBasic = `Basic ${Buffer.from(`flow-service:${options.clientSecret}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.url === '/token') {
        tokenRequests += 1;
        const form = new URLSearchParams(body);
        if (req.headers.authorization !== expectedBasic) return send(401, { error: 'invalid_client' });
        if (!GRANTS.has(form.get('grant_type') ?? '')) return send(400, { error: 'unsupported_grant_type' });
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        return send(200, {
          access_token: token,
          token_type: 'Bearer',
          expires_in: 300,
          scope: form.get('scope'),
        });
      }
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!tokens.has(bearer)) return send(401, { error: 'invalid_token' });
      // oauth-service's answer about a definition author: still active, still holding test:write.
      if (/^\/api\/admin\/users\/[^/]+\/authority$/.test(req.url ?? ''))
        return send(200, { active: true, scopes: ['flow:read', 'flow:write', 'test:write'] });
      const run = String(req.headers['x-flow-run-id']);
      const step = String(req.headers['x-flow-step-id']);
      const key = String(req.headers['idempotency-key']);
      const target = `${run}:${step}`;
      received.set(target, (received.get(target) ?? 0) + 1);
      if (keys.has(key)) replays += 1;
      else {
        keys.add(key);
        applied.set(target, (applied.get(target) ?? 0) + 1);
      }
      setTimeout(() => send(200, { applied: true, key }), options.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    applied,
    received,
    replays: () => replays,
    tokenRequests: () => tokenRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A 3-step DAG whose two http steps each apply one side effect. */
export function sideEffectDefinition(url: string) {
  return {
    id: 'side-effects',
    steps: [
      {
        id: 'charge',
        type: 'http',
        retry: { max: 5, initial: 50 },
        timeout: '5s',
        input: {
          method: 'POST',
          url: `${url}/effects/charge`,
          body: { n: '{{ input.n }}' },
          auth: { resource: 'http://localhost:8080/test', scope: 'test:write' },
        },
      },
      {
        id: 'ship',
        type: 'http',
        dependsOn: ['charge'],
        retry: { max: 5, initial: 50 },
        timeout: '5s',
        input: {
          method: 'POST',
          url: `${url}/effects/ship`,
          auth: { resource: 'http://localhost:8080/test', scope: 'test:write' },
        },
      },
      { id: 'done', type: 'noop', dependsOn: ['ship'] },
    ],
  };
}
