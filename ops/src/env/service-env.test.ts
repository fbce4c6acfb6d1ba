import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type K8sObject, render } from '../k8s/manifests.ts';
import { repoPath } from '../support/repo.ts';
import {
  filledEnvFile,
  filledSecret,
  interpolate,
  parseEnvFile,
  RUNTIME_VARIABLES,
  SERVICES,
} from './service-env.ts';

// The deployment's environment against what each service reads: every variable docker-compose.yml,
// deploy/env/*.env.example and deploy/k8s give a service is one its loader reads (a misspelt name is
// silently ignored, and the service falls back to a default or, for a seed secret, generates one and prints
// it to the container log), and the environment an operator fills in starts the service with
// NODE_ENV=production (every required variable is there).

interface ComposeService {
  env_file?: string[];
  environment?: Record<string, string>;
  build?: { dockerfile?: string; args?: Record<string, string> };
}
const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const dotEnv = filledEnvFile('.env.example');

/** The component a compose service runs: the service itself, or the one whose image a migrate job uses. */
/**
 * The app an image runs: its own Dockerfile's folder, the shared Node Dockerfile's SERVICE argument, or the
 * shared console Dockerfile's CONSOLE argument.
 */
function componentOf(service: ComposeService): string | undefined {
  const dockerfile = service.build?.dockerfile ?? '';
  if (dockerfile === 'deploy/docker/node-service.Dockerfile') return service.build?.args?.SERVICE;
  if (dockerfile === 'deploy/docker/console.Dockerfile') return service.build?.args?.CONSOLE;
  return /^apps\/([a-z-]+)\/Dockerfile$/.exec(dockerfile)?.[1];
}

const composeRuns = Object.entries(compose.services).flatMap(([name, service]) => {
  const component = componentOf(service);
  return component && component in SERVICES ? [{ name, component, service }] : [];
});

function composeEnv(service: ComposeService) {
  const env: Record<string, string | undefined> = {};
  for (const file of service.env_file ?? []) Object.assign(env, filledEnvFile(`${file}.example`));
  for (const [key, value] of Object.entries(service.environment ?? {})) env[key] = interpolate(value, dotEnv);
  return env;
}

const unread = (component: string, names: Iterable<string>) =>
  [...names].filter((name) => !SERVICES[component]!.reads.has(name) && !RUNTIME_VARIABLES.has(name));

/** Every secret oauth-service's seed generates (and prints once) when the operator does not give it. */
const SEED_SECRETS = ['ADMIN_PASSWORD', 'OAUTH_CLIENT_SECRET', 'FLOW_CLIENT_SECRET', 'ACCOUNT_CLIENT_SECRET'];

describe('deploy/env/*.env.example and docker-compose.yml', () => {
  it('runs every TypeScript service and its migration job', () => {
    expect(new Set(composeRuns.map((run) => run.component))).toEqual(new Set(Object.keys(SERVICES)));
    expect(composeRuns.length).toBe(10);
  });

  it.each(Object.keys(SERVICES))('%s.env.example names only variables the service reads', (component) => {
    const names = parseEnvFile(`deploy/env/${component}.env.example`).map(([key]) => key);
    expect(names.length).toBeGreaterThan(0);
    expect(unread(component, names)).toEqual([]);
  });

  it('every compose environment variable of a service (and of its migration job) is one it reads', () => {
    for (const { name, component, service } of composeRuns) {
      expect(unread(component, Object.keys(service.environment ?? {})), name).toEqual([]);
    }
  });

  it('the filled-in compose environment starts each service in production (required variables present)', () => {
    for (const { name, component, service } of composeRuns) {
      const env = composeEnv(service);
      expect(env.NODE_ENV, name).toBe('production');
      expect(() => SERVICES[component]!.load(env), name).not.toThrow();
    }
  });

  it('the migration job gets every seed secret, so the seed never generates one and prints it', () => {
    const migrate = composeEnv(compose.services['oauth-migrate']!);
    for (const secret of SEED_SECRETS) expect(Object.keys(migrate), secret).toContain(secret);
    // The shared secrets reach their other holder under the name it reads.
    expect(Object.keys(composeEnv(compose.services['admin-portal']!))).toContain('OAUTH_CLIENT_SECRET');
    expect(Object.keys(composeEnv(compose.services['flow-service']!))).toContain('FLOW_CLIENT_SECRET');
  });

  it('a misspelt variable is caught: the checks are not vacuous', () => {
    expect(unread('flow-service', ['OAUTH_CLIENT_SECRET', 'FLOW_CLIENT_SECRET'])).toEqual([
      'OAUTH_CLIENT_SECRET',
    ]);
    expect(() =>
      SERVICES['admin-portal']!.load({ NODE_ENV: 'production', SESSION_SECRET: filledSecret() }),
    ).toThrow(/OAUTH_CLIENT_SECRET/);
  });
});

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
}

const objects = render();
const find = (kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject;

/** Every container of every workload running one of our TypeScript services' images. */
function k8sContainers(): Array<{ workload: string; component: string; container: Container }> {
  return objects.flatMap((o) => {
    const pod = o.kind === 'Job' || o.kind === 'Deployment' ? o.spec.template.spec : undefined;
    if (!pod) return [];
    return [...(pod.initContainers ?? []), ...pod.containers].flatMap((container: Container) => {
      const component = /^oauth-platform\/([a-z-]+):/.exec(container.image)?.[1];
      return component && component in SERVICES
        ? [{ workload: `${o.kind}/${o.metadata.name}/${container.name}`, component, container }]
        : [];
    });
  });
}

/** The variables a container sees, each with a filled-in value (committed Secrets hold empty ones). */
function k8sEnv(container: Container): { own: Record<string, string>; shared: Record<string, string> } {
  const own: Record<string, string> = {};
  const shared: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(shared, find('ConfigMap', source.configMapRef.name).data);
    if (source.secretRef) {
      for (const key of Object.keys(find('Secret', source.secretRef.name).stringData ?? {}))
        own[key] =
          key === 'DATABASE_URL' ? `postgresql://svc:${filledSecret()}@postgres:5432/svc_db` : filledSecret();
    }
  }
  for (const variable of container.env ?? []) own[variable.name] = variable.value ?? filledSecret();
  return { own, shared };
}

describe('deploy/k8s environment', () => {
  const containers = k8sContainers();

  it('covers every TypeScript service', () => {
    expect(new Set(containers.map((c) => c.component))).toEqual(new Set(Object.keys(SERVICES)));
  });

  it("every variable of a service's own Secret and env list is one it reads", () => {
    for (const { workload, component, container } of containers) {
      expect(unread(component, Object.keys(k8sEnv(container).own)), workload).toEqual([]);
    }
  });

  it('every key of a shared ConfigMap is read by at least one service that loads it', () => {
    const readers = new Map<string, Set<string>>();
    for (const { component, container } of containers) {
      for (const key of Object.keys(k8sEnv(container).shared)) {
        if (!readers.has(key)) readers.set(key, new Set());
        if (SERVICES[component]!.reads.has(key)) readers.get(key)!.add(component);
      }
    }
    const unreadKeys = [...readers].filter(([, by]) => by.size === 0).map(([key]) => key);
    expect(unreadKeys).toEqual([]);
  });

  it('the filled-in environment starts each service in production', () => {
    for (const { workload, component, container } of containers) {
      const { own, shared } = k8sEnv(container);
      expect(() => SERVICES[component]!.load({ ...shared, ...own }), workload).not.toThrow();
    }
  });

  it('oauth-service gets every seed secret, and flow-service the one it reads', () => {
    const oauth = Object.keys(find('Secret', 'oauth-service-secrets').stringData);
    for (const secret of SEED_SECRETS) expect(oauth, secret).toContain(secret);
    expect(Object.keys(find('Secret', 'flow-service-secrets').stringData)).toContain('FLOW_CLIENT_SECRET');
    expect(Object.keys(find('Secret', 'admin-portal-secrets').stringData)).toContain('OAUTH_CLIENT_SECRET');
  });
});
