import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  configShape as accountShape,
  parseAccountConfig,
} from '../../../apps/account-portal/src/lib/config.ts';
import { parsePortalConfig, configShape as portalShape } from '../../../apps/admin-portal/src/lib/config.ts';
import { configShape as flowShape, loadFlowServiceConfig } from '../../../apps/flow-service/src/config.ts';
import { configShape as klineShape, loadKlineServiceConfig } from '../../../apps/kline-service/src/config.ts';
import { loadOAuthServiceConfig, configShape as oauthShape } from '../../../apps/oauth-service/src/config.ts';
import { loadTestServiceConfig, configShape as testShape } from '../../../apps/test-service/src/config.ts';
import { repoPath } from '../support/repo.ts';

// What each TypeScript service reads: the keys of the zod shape its loader validates (packages/config is
// the only env reader, so these are all the variables a service can see), and the loader itself, to prove
// that a deployment's environment starts the service.

type Env = Record<string, string | undefined>;

export interface ServiceReader {
  reads: Set<string>;
  load(env: Env): unknown;
}

/** Read by the Node runtime itself, not by a service's loader. */
export const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS']);

export const SERVICES: Record<string, ServiceReader> = {
  'oauth-service': { reads: new Set(Object.keys(oauthShape)), load: loadOAuthServiceConfig },
  'admin-portal': { reads: new Set(Object.keys(portalShape)), load: parsePortalConfig },
  'account-portal': { reads: new Set(Object.keys(accountShape)), load: parseAccountConfig },
  'kline-service': { reads: new Set(Object.keys(klineShape)), load: loadKlineServiceConfig },
  'flow-service': {
    reads: new Set(Object.keys(flowShape)),
    load: (env) => loadFlowServiceConfig(env, { readSecret: false }),
  },
  'test-service': { reads: new Set(Object.keys(testShape)), load: loadTestServiceConfig },
};

/** `KEY=value` lines of an env file (comments and blank lines skipped), in order. */
export function parseEnvFile(path: string): Array<[string, string]> {
  return readFileSync(repoPath(path), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      if (at < 1) throw new Error(`${path}: "${line}" is not KEY=value`);
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

/** A value an operator would fill in: long and random, as the examples ask (`openssl rand -base64 48`). */
export const filledSecret = () => randomBytes(36).toString('base64url');

/** The env file with every empty value filled in, as an operator does before `docker compose up`. */
export function filledEnvFile(path: string): Env {
  return Object.fromEntries(parseEnvFile(path).map(([key, value]) => [key, value || filledSecret()]));
}

/** `${VAR}`, `${VAR:?message}` and `${VAR:-default}` replaced with the operator's .env (filled in). */
export function interpolate(value: string, dotEnv: Env): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::[?-][^}]*)?\}/g, (_match, name: string) => {
    const resolved = dotEnv[name];
    if (resolved === undefined) throw new Error(`\${${name}} is not in .env.example`);
    return resolved;
  });
}
