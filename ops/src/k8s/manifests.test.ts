import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadDashboards } from '../grafana/dashboards.ts';
import { DESIGN_PORTS, readYaml, repoPath } from '../support/repo.ts';
import { gatewayBinary, run, tool } from '../support/tools.ts';
import {
  K8S_DIR,
  type K8sObject,
  kustomizationResources,
  manifestFiles,
  parseManifests,
  render,
  validateObject,
} from './manifests.ts';
import { EMBEDDED, synced } from './sync.ts';

const objects = render();
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const SERVICES = [
  'pingora-proxy',
  'oauth-service',
  'admin-portal',
  'account-portal',
  'kline-service',
  'flow-service',
  'test-service',
];
// Created by the operator from the certificate files (docs/deployment.md, "Kubernetes"), never committed.
const EXTERNAL_SECRETS = ['pingora-proxy-tls'];

const SYNC_HINT = 'out of date: run `node ops/src/k8s/sync.ts && pnpm format`';

const scratch = mkdtempSync(join(tmpdir(), 'ops-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function podSpec(object: K8sObject) {
  return object.spec.template.spec;
}

describe('deploy/k8s renders and passes the Kubernetes schemas', () => {
  it('the kustomization lists every manifest file exactly once', () => {
    expect([...kustomizationResources()].sort()).toEqual(manifestFiles());
  });

  it('every object is valid for its apiVersion and kind, in the platform namespace', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      validateObject(object);
      if (object.kind !== 'Namespace')
        expect(object.metadata.namespace, object.metadata.name).toBe('oauth-platform');
    }
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the schema check rejects invalid objects and unknown kinds', () => {
    const deployment = structuredClone(find('Deployment', 'oauth-service')!);
    podSpec(deployment).containers[0].ports[0].containerPort = 'http';
    expect(() => validateObject(deployment)).toThrow(/containerPort must be integer/);
    const hpa = structuredClone(find('HorizontalPodAutoscaler', 'oauth-service')!);
    hpa.spec.maxReplicas = 'many';
    expect(() => validateObject(hpa)).toThrow(/maxReplicas/);
    expect(() => validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toThrow(
      /no schema/,
    );
  });
});

describe('deploy/k8s topology', () => {
  it('a Deployment per component with readiness /ready and liveness /health on its port (gateway: /healthz)', () => {
    for (const name of SERVICES) {
      const deployment = find('Deployment', name);
      expect(deployment, name).toBeDefined();
      const [container] = podSpec(deployment!).containers;
      const port = container.ports[0];
      expect(port.containerPort, name).toBe(DESIGN_PORTS[name]);
      const ready = name === 'pingora-proxy' ? '/healthz' : '/ready';
      const alive = name === 'pingora-proxy' ? '/healthz' : '/health';
      expect(container.readinessProbe.httpGet.path, name).toBe(ready);
      expect(container.livenessProbe.httpGet.path, name).toBe(alive);
      expect([port.name, port.containerPort]).toContain(container.readinessProbe.httpGet.port);
      expect([port.name, port.containerPort]).toContain(container.livenessProbe.httpGet.port);
      // Runs unprivileged with a read-only root, as the Dockerfiles' USER.
      expect(podSpec(deployment!).securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      expect(container.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.resources.requests.cpu, name).toBeDefined();
    }
  });

  it('a Service per component selecting its pods, on the docs/architecture.md port', () => {
    for (const name of SERVICES) {
      const service = find('Service', name)!;
      const deployment = find('Deployment', name)!;
      expect(service, name).toBeDefined();
      const podLabels = deployment.spec.template.metadata.labels;
      for (const [key, value] of Object.entries(service.spec.selector))
        expect(podLabels[key], name).toBe(value);
      expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
      const containerPorts = podSpec(deployment).containers[0].ports.map((p: { name: string }) => p.name);
      for (const port of service.spec.ports) expect(containerPorts).toContain(port.targetPort);
      if (name !== 'pingora-proxy') expect(service.spec.ports[0].port, name).toBe(DESIGN_PORTS[name]);
    }
  });

  it("pods carry prometheus.io annotations matching monitoring/prometheus.yml's jobs", () => {
    const { scrape_configs } = readYaml<{
      scrape_configs: Array<{ job_name: string; metrics_path?: string; scheme?: string }>;
    }>('monitoring/prometheus.yml');
    for (const name of SERVICES) {
      const annotations = find('Deployment', name)!.spec.template.metadata.annotations;
      const job = scrape_configs.find((j) => j.job_name === name)!;
      expect(annotations, name).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(DESIGN_PORTS[name]),
        'prometheus.io/path': job.metrics_path ?? '/metrics',
      });
      expect(annotations['prometheus.io/scheme'] ?? 'http', name).toBe(job.scheme ?? 'http');
    }
  });

  it('HPAs scale existing Deployments on CPU, and those request CPU', () => {
    const hpas = byKind('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name)).toEqual(
      expect.arrayContaining(['oauth-service', 'pingora-proxy']),
    );
    for (const hpa of hpas) {
      const target = find('Deployment', hpa.spec.scaleTargetRef.name);
      expect(target, hpa.metadata.name).toBeDefined();
      expect(hpa.spec.metrics).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: expect.objectContaining({ type: 'Utilization' }) },
        },
      ]);
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      expect(podSpec(target!).containers[0].resources.requests.cpu).toBeDefined();
    }
  });

  it('every Secret and ConfigMap a pod uses is defined (keys included); committed Secrets hold no values', () => {
    const pods = [...byKind('Deployment'), ...byKind('StatefulSet'), ...byKind('Job')].map(podSpec);
    const problems: string[] = [];
    const check = (kind: 'Secret' | 'ConfigMap', name: string, key?: string) => {
      if (kind === 'Secret' && EXTERNAL_SECRETS.includes(name)) return;
      const object = find(kind, name);
      if (!object) return problems.push(`${kind} ${name} is not defined`);
      const data = { ...object.data, ...object.stringData };
      if (key && !(key in data)) problems.push(`${kind} ${name} has no key ${key}`);
    };
    for (const pod of pods) {
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        for (const source of container.envFrom ?? []) {
          if (source.secretRef) check('Secret', source.secretRef.name);
          if (source.configMapRef) check('ConfigMap', source.configMapRef.name);
        }
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
          if (ref) check(variable.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, ref.key);
        }
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.secret) check('Secret', volume.secret.secretName);
        if (volume.configMap) check('ConfigMap', volume.configMap.name);
      }
    }
    expect(problems).toEqual([]);
    for (const secret of byKind('Secret')) {
      expect(secret.data, secret.metadata.name).toBeUndefined();
      for (const value of Object.values(secret.stringData ?? {}))
        expect(value, secret.metadata.name).toBe('');
    }
    // The same secrets as the compose deployment's env files.
    const example = readFileSync(repoPath('deploy/env/oauth-service.env.example'), 'utf8');
    const keys = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]).filter((k) => k !== 'LOG_LEVEL');
    expect(Object.keys(find('Secret', 'oauth-service-secrets')!.stringData)).toEqual(
      expect.arrayContaining(keys),
    );
  });

  it('PostgreSQL 15 runs from the same init script as the compose deployment', () => {
    const postgres = find('StatefulSet', 'postgres')!;
    expect(podSpec(postgres).containers[0].image).toBe('postgres:15');
    expect(find('ConfigMap', 'postgres-init')!.data['10-init-databases.sh'], SYNC_HINT).toBe(
      readFileSync(repoPath('deploy/postgres/init-databases.sh'), 'utf8'),
    );
  });
});

describe('monitoring in deploy/k8s', () => {
  it('every embedded file (gateway config, init script, Prometheus and Grafana files) equals its source', () => {
    for (const entry of EMBEDDED) {
      const configMap = find('ConfigMap', entry.configMap);
      expect(configMap, entry.configMap).toBeDefined();
      expect(configMap!.data[entry.key], `${entry.configMap}/${entry.key} ${SYNC_HINT}`).toBe(
        readFileSync(repoPath(entry.source), 'utf8'),
      );
    }
    expect(Object.keys(find('ConfigMap', 'grafana-dashboards')!.data).sort()).toEqual(
      loadDashboards().map((d) => d.file),
    );
  });

  it("Prometheus' Kubernetes config passes promtool and has the compose jobs, discovered per pod", () => {
    const data = find('ConfigMap', 'prometheus-config')!.data;
    const dir = join(scratch, 'prometheus');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prometheus.yml'), data['prometheus.yml']);
    writeFileSync(join(dir, 'alerts.yml'), data['alerts.yml']);
    const check = run(tool('promtool'), ['check', 'config', 'prometheus.yml'], { cwd: dir });
    expect(check.status, check.output).toBe(0);

    type Job = {
      job_name: string;
      metrics_path?: string;
      scheme?: string;
      tls_config?: unknown;
      dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
    };
    const k8s = (parse(data['prometheus.yml']) as { scrape_configs: Job[] }).scrape_configs;
    const compose = readYaml<{ scrape_configs: Job[] }>('monitoring/prometheus.yml').scrape_configs;
    // node-exporter: clusters run their own (docs/deployment.md, "Kubernetes").
    expect(k8s.map((j) => j.job_name)).toEqual(
      compose.map((j) => j.job_name).filter((n) => n !== 'node-exporter'),
    );
    for (const job of k8s) {
      const twin = compose.find((j) => j.job_name === job.job_name)!;
      expect([job.metrics_path, job.scheme, job.tls_config]).toEqual([
        twin.metrics_path,
        twin.scheme,
        twin.tls_config,
      ]);
      const [sd] = job.dns_sd_configs!;
      expect(sd!.names).toEqual([`${job.job_name}-pods.oauth-platform.svc.cluster.local`]);
      expect(sd!.port).toBe(DESIGN_PORTS[job.job_name]);
      const headless = find('Service', `${job.job_name}-pods`);
      expect(headless?.spec.clusterIP, job.job_name).toBe('None');
      expect(headless!.spec.selector).toEqual(find('Deployment', job.job_name)!.spec.selector.matchLabels);
      expect(headless!.spec.ports[0].port).toBe(sd!.port);
    }
  });

  it('Grafana mounts the provisioning and dashboards where the provider looks, and requires its admin password', () => {
    const grafana = podSpec(find('Deployment', 'grafana')!);
    const mounts = grafana.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    const { providers } = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      'monitoring/grafana/provisioning/dashboards/platform.yml',
    );
    expect(mounts).toEqual(
      expect.arrayContaining([
        providers[0]!.options.path,
        '/etc/grafana/provisioning/datasources/prometheus.yml',
        '/etc/grafana/provisioning/dashboards/platform.yml',
      ]),
    );
    const [guard] = grafana.initContainers;
    expect(guard.command.join(' ')).toContain('test -n "$GF_SECURITY_ADMIN_PASSWORD"');
    expect(find('Service', 'prometheus')!.spec.ports[0].port).toBe(DESIGN_PORTS.prometheus);
    expect(find('Service', 'grafana')!.spec.ports[0].port).toBe(DESIGN_PORTS.grafana);
  });
});

describe('ops/src/k8s/sync.ts', () => {
  it('writes each embedded source into its ConfigMap, keeping the rest of the manifest', () => {
    for (const entry of EMBEDDED) {
      const docs = parseManifests(synced(entry.manifest), entry.manifest);
      const configMap = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === entry.configMap)!;
      expect(configMap.data[entry.key]).toBe(readFileSync(repoPath(entry.source), 'utf8'));
      const original = parseManifests(
        readFileSync(repoPath(K8S_DIR, entry.manifest), 'utf8'),
        entry.manifest,
      );
      expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(
        original.map((d) => `${d.kind}/${d.metadata.name}`),
      );
    }
  });
});

describe('the gateway ConfigMap', () => {
  const configMap = find('ConfigMap', 'pingora-proxy-config')!;
  const yaml = configMap.data['production.yaml'] as string;

  it('holds apps/pingora-proxy/config/production.yaml as shipped, mounted where the gateway reads it', () => {
    expect(yaml, SYNC_HINT).toBe(readFileSync(repoPath('apps/pingora-proxy/config/production.yaml'), 'utf8'));
    const gateway = find('Deployment', 'pingora-proxy')!;
    const container = podSpec(gateway).containers[0];
    expect(container.args).toEqual(['--config', '/app/config/production.yaml']);
    expect(container.volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/app/config',
      readOnly: true,
    });
  });

  it("points its upstreams at this folder's Services, on their ports", () => {
    const config = parse(yaml) as { upstreams: Array<{ servers: string[] }> };
    for (const server of config.upstreams.flatMap((u) => u.servers)) {
      const [host, port] = server.split(':');
      const service = find('Service', host!);
      expect(service, server).toBeDefined();
      expect(service!.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(port));
    }
  });

  it("passes the gateway's own --validate, which rejects a broken copy", () => {
    const file = join(scratch, 'production.yaml');
    writeFileSync(file, yaml);
    const valid = run(gatewayBinary(), ['--config', file, '--validate'], { env: { RUST_LOG: 'error' } });
    expect(valid.output).toMatch(/is valid: 6 upstream\(s\), \d+ route\(s\)/);
    expect(valid.status).toBe(0);

    const broken = parse(yaml);
    broken.routes.push({ prefix: '/nowhere/', upstream: 'no-such-upstream', auth: 'none' });
    const brokenFile = join(scratch, 'broken.yaml');
    writeFileSync(brokenFile, stringify(broken));
    const invalid = run(gatewayBinary(), ['--config', brokenFile, '--validate'], {
      env: { RUST_LOG: 'error' },
    });
    expect(invalid.status).not.toBe(0);
    expect(invalid.output).toContain('no-such-upstream');
  });
});
