import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@platform/testing';
import { parse, stringify } from 'yaml';
import { httpsRequest } from './https.ts';
import { type NativeProcess, startNative } from './process.ts';
import { repoPath } from './repo.ts';
import { gatewayBinary, tool } from './tools.ts';

// The native components of the ops platform: the gateway (TLS, production.yaml) and node-exporter.

export interface RunningGateway {
  process: NativeProcess;
  port: number;
  url: string;
  /** PEM of the gateway's self-signed certificate (trust anchor for requests to it). */
  ca: string;
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return { cert, key };
}

/**
 * The gateway's production.yaml as shipped, with only what a loopback run needs changed: bind address,
 * certificate paths (a self-signed pair) and one worker thread. Upstream servers come from UPSTREAM_*.
 */
function gatewayConfig(dir: string, port: number, tls: { cert: string; key: string }): string {
  const config = parse(readFileSync(repoPath('apps/pingora-proxy/config/production.yaml'), 'utf8'));
  config.server.bind_address = `127.0.0.1:${port}`;
  config.server.worker_threads = 1;
  config.server.tls.cert_file = tls.cert;
  config.server.tls.key_file = tls.key;
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** The gateway on a free port; `upstreams` are its UPSTREAM_* overrides (`UPSTREAM_TEST_1: 'host:port'`). */
export async function startGateway(
  dir: string,
  issuer: string,
  upstreams: Record<string, string>,
): Promise<RunningGateway> {
  const port = await freePort();
  const tls = selfSignedCertificate(dir);
  const ca = readFileSync(tls.cert, 'utf8');
  const url = `https://127.0.0.1:${port}`;
  const gateway = await startNative({
    name: 'pingora-proxy',
    command: gatewayBinary(),
    args: ['--config', gatewayConfig(dir, port, tls)],
    env: {
      RUST_LOG: 'error',
      ...upstreams,
      OAUTH_ISSUER: issuer,
      OAUTH_JWKS_URL: `${issuer}/oauth/jwks`,
    },
    ready: async () => (await httpsRequest(`${url}/healthz`, { ca })).status === 200,
  });
  return { process: gateway, port, url, ca };
}

export async function startNodeExporter(): Promise<{ process: NativeProcess; port: number; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const exporter = await startNative({
    name: 'node-exporter',
    command: tool('prometheus-node-exporter'),
    args: [`--web.listen-address=127.0.0.1:${port}`, '--log.level=error'],
    ready: async () => (await fetch(`${url}/metrics`)).ok,
  });
  return { process: exporter, port, url };
}
