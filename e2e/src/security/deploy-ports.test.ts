// The deployment files publish only the gateway: a service port reachable from outside would let a client
// skip the gateway's TLS, rate limits, metrics allowlist and forwarding-header rewrite. The monitoring UIs
// (no access control worth exposing) are published on the host's loopback only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../platform-process.ts';

interface ComposeService {
  ports?: (string | { published?: string | number; target: number; host_ip?: string })[];
  expose?: (string | number)[];
  network_mode?: string;
  networks?: string[] | Record<string, unknown>;
  environment?: Record<string, string>;
}
interface Compose {
  services: Record<string, ComposeService>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
}

interface Published {
  service: string;
  hostIp: string;
  port: number;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;

/** Every host port compose binds, with the address it binds on (no address = every interface). */
function composePublished(): Published[] {
  return Object.entries(compose.services).flatMap(([service, spec]) =>
    (spec.ports ?? []).map((port) => {
      if (typeof port !== 'string')
        return { service, hostIp: port.host_ip ?? '0.0.0.0', port: Number(port.published ?? port.target) };
      const match = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+)(?::\d+)?(?:\/tcp)?$/.exec(port);
      if (!match) throw new Error(`${service}: port spec ${port} is not understood by this test`);
      return { service, hostIp: match[1] ?? '0.0.0.0', port: Number(match[2]) };
    }),
  );
}

interface K8sObject {
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read as data
  spec?: any;
}

function k8sObjects(): K8sObject[] {
  const dir = join(ROOT, 'deploy/k8s');
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJS() as K8sObject),
  );
}

const EXTERNAL_SERVICE_TYPES = new Set(['LoadBalancer', 'NodePort']);

/** Pod templates of every workload kind that runs containers. */
function podSpecs(objects: K8sObject[]) {
  return objects.flatMap((o) => {
    if (o.kind === 'Job') return [{ name: o.metadata.name, spec: o.spec.template.spec }];
    if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
      return [{ name: o.metadata.name, spec: o.spec.template.spec }];
    if (o.kind === 'CronJob') return [{ name: o.metadata.name, spec: o.spec.jobTemplate.spec.template.spec }];
    return [];
  });
}

describe('docker-compose.yml publishes only the gateway', () => {
  it('binds exactly the gateway on every interface, and Prometheus and Grafana on loopback', () => {
    const published = composePublished().sort((a, b) => a.port - b.port);
    expect(published).toEqual([
      { service: 'grafana', hostIp: '127.0.0.1', port: 3000 },
      { service: 'pingora-proxy', hostIp: '0.0.0.0', port: 8080 },
      { service: 'prometheus', hostIp: '127.0.0.1', port: 9090 },
    ]);
  });

  it('no service shares the host network (which would publish every port it listens on)', () => {
    for (const [name, spec] of Object.entries(compose.services)) {
      expect(spec.network_mode ?? '', name).not.toBe('host');
    }
  });

  it('the compose network has a pinned subnet, and the services trust forwarding headers from it only', () => {
    const subnets = Object.values(compose.networks ?? {}).flatMap(
      (n) => n.ipam?.config?.map((c) => c.subnet) ?? [],
    );
    expect(subnets).toEqual(['172.28.0.0/16']);
    for (const name of ['oauth-service', 'kline-service', 'flow-service', 'test-service']) {
      expect(compose.services[name]!.environment?.TRUSTED_PROXIES, name).toBe('172.28.0.0/16');
    }
  });
});

describe('deploy/k8s exposes only the gateway', () => {
  const objects = k8sObjects();

  it('the gateway is the one Service reachable from outside the cluster', () => {
    const external = objects
      .filter((o) => o.kind === 'Service' && EXTERNAL_SERVICE_TYPES.has(o.spec?.type))
      .map((o) => ({
        name: o.metadata.name,
        type: o.spec.type,
        ports: o.spec.ports.map((p: { port: number }) => p.port),
      }));
    expect(external).toEqual([{ name: 'pingora-proxy', type: 'LoadBalancer', ports: [443] }]);
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      expect(service.spec.externalIPs, service.metadata.name).toBeUndefined();
    }
    expect(objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name)).toEqual([]);
  });

  it('PostgreSQL and every other back end are ClusterIP (or headless)', () => {
    const internal = objects.filter((o) => o.kind === 'Service' && o.metadata.name !== 'pingora-proxy');
    expect(internal.map((o) => o.metadata.name)).toContain('postgres');
    for (const service of internal) {
      expect(service.spec.type ?? 'ClusterIP', service.metadata.name).toBe('ClusterIP');
    }
  });

  it('no pod binds a host port or shares the node network', () => {
    for (const { name, spec } of podSpecs(objects)) {
      expect(spec.hostNetwork ?? false, name).toBe(false);
      for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        for (const port of container.ports ?? []) {
          expect(port.hostPort, `${name}/${container.name}`).toBeUndefined();
        }
      }
    }
  });
});
