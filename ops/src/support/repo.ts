import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export const repoPath = (...parts: string[]) => join(ROOT, ...parts);

/** Reads a YAML file of the repo; duplicate keys and other YAML errors throw. */
export function readYaml<T = unknown>(path: string): T {
  return parse(readFileSync(repoPath(path), 'utf8'), { uniqueKeys: true }) as T;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(repoPath(path), 'utf8')) as T;
}

/** The platform's components and their ports, as docs/architecture.md's components table lists them. */
export const DESIGN_PORTS: Record<string, number> = {
  'pingora-proxy': 8080,
  'oauth-service': 3001,
  'admin-portal': 3002,
  'kline-service': 3003,
  'flow-service': 3004,
  'test-service': 3005,
  'account-portal': 3006,
  postgres: 5432,
  prometheus: 9090,
  grafana: 3000,
  'node-exporter': 9100,
};
