// Benchmark: test-service's scoped echo (token verified, route metrics, request id, JSON logs) under
// load, beside a bare Fastify + jose echo measured in the same run on the same machine.
//
//   node bench/echo.ts [--seconds 10] [--connections 32]
//
// Both servers run as child processes; autocannon drives them from this process, one after the other.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase, migrateToLatest } from '@platform/db';
import { createTempDatabase, createTestIssuer, spawnService } from '@platform/testing';
import autocannon from 'autocannon';
import { migrations } from '../apps/test-service/src/db/migrations.ts';
import { row as resultRow, startRun, writeResults } from './lib/results.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const ROOT = join(import.meta.dirname, '..');
const AUDIENCE = 'http://localhost:8080/test';

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, token: string): Promise<Result> {
  const headers = { authorization: `Bearer ${token}` };
  // Warm-up: JIT, JWKS fetch, verification cache, connection set-up.
  await autocannon({ url, connections, duration: 2, headers });
  const r = await autocannon({ url, connections, duration: seconds, headers });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

const start = startRun();
const issuer = await createTestIssuer();
const token = await issuer.mint({ aud: AUDIENCE, client_id: 'bench', scope: 'test:read', expiresIn: 3600 });
const temp = await createTempDatabase('sqlite');
const databaseUrl = temp.url;
const database = createDatabase(databaseUrl);
await migrateToLatest(database, migrations);
await database.close();

const ours = await spawnService({
  cwd: join(ROOT, 'apps/test-service'),
  entry: 'src/main.ts',
  env: {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    OAUTH_ISSUER: issuer.issuer,
    OAUTH_JWKS_URL: issuer.jwksUri,
    TOKEN_AUDIENCE: AUDIENCE,
    // Shipped default: one JSON line per request, as in production.
    LOG_LEVEL: 'info',
  },
});
const oursResult = await load(`${ours.url}/test/api/v1/echo`, token);
await ours.stop();

const peer = await spawnService({
  cwd: import.meta.dirname,
  entry: 'peers/bare-echo.ts',
  env: { ISSUER: issuer.issuer, JWKS_URL: issuer.jwksUri, AUDIENCE },
});
const peerResult = await load(`${peer.url}/test/api/v1/echo`, token);
await peer.stop();
await issuer.close();
await temp.drop();

const row = (name: string, r: Result) =>
  `| ${name} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p50} | ${r.p99} | ${r.errors + r.non2xx} |`;
console.log(
  `\ntest-service echo, GET with a valid token (autocannon -c ${connections} -d ${seconds}, Node ${process.versions.node})\n`,
);
console.log('| server | req/s | p50 ms | p99 ms | failed |');
console.log('|---|---|---|---|---|');
console.log(row('test-service (ours)', oursResult));
console.log(row('bare Fastify + jose (peer)', peerResult));
console.log(
  `\nours / peer: ${(oursResult.rps / peerResult.rps).toFixed(2)}x throughput, p99 ${(oursResult.p99 / Math.max(peerResult.p99, 0.001)).toFixed(2)}x`,
);
console.log('reproduce: node bench/echo.ts --seconds 10 --connections 32');

const peerName = 'bare Fastify + jose, verify on every request';
writeResults({
  benchmark: 'echo',
  title: 'Resource server: test-service echo with token verification',
  description:
    "test-service's scoped echo (`GET /test/api/v1/echo` with a valid token: verification by `@platform/auth`, " +
    'route metrics, request id, one JSON log line per request as shipped) under autocannon load, against a ' +
    'bare Fastify + jose echo that verifies the token on every request (`bench/peers/bare-echo.ts`). One ' +
    'server at a time, each after a 2 s warm-up.',
  command: `node bench/echo.ts --seconds ${seconds} --connections ${connections}`,
  ...start,
  parameters: { connections, seconds, warmupSeconds: 2 },
  rows: [
    resultRow('throughput', 'req/s', oursResult.rps, { name: peerName, value: peerResult.rps }),
    resultRow('latency p50', 'ms', oursResult.p50, { name: peerName, value: peerResult.p50 }, 'lower'),
    resultRow('latency p99', 'ms', oursResult.p99, { name: peerName, value: peerResult.p99 }, 'lower'),
  ],
  notes: [
    `Failed requests: ours ${oursResult.errors + oursResult.non2xx}, peer ${peerResult.errors + peerResult.non2xx}.`,
  ],
});
if (oursResult.errors + oursResult.non2xx > 0 || peerResult.errors + peerResult.non2xx > 0)
  process.exitCode = 1;
