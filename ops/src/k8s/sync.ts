// `node ops/src/k8s/sync.ts`: copies the files that deploy/k8s embeds into its ConfigMaps from their
// sources (the gateway's production.yaml, the PostgreSQL init script, Prometheus' config and alert rules,
// Grafana's provisioning and dashboards), keeping the manifests' comments.
// Run it (then `pnpm format`) after changing either source; ops/src/k8s/manifests.test.ts fails until then.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, Scalar } from 'yaml';
import { repoPath } from '../support/repo.ts';
import { K8S_DIR } from './manifests.ts';

const DASHBOARDS = 'monitoring/grafana/dashboards';

export const EMBEDDED: Array<{ manifest: string; configMap: string; key: string; source: string }> = [
  {
    manifest: 'gateway-config.yaml',
    configMap: 'pingora-proxy-config',
    key: 'production.yaml',
    source: 'apps/pingora-proxy/config/production.yaml',
  },
  {
    manifest: 'postgres.yaml',
    configMap: 'postgres-init',
    key: '10-init-databases.sh',
    source: 'deploy/postgres/init-databases.sh',
  },
  {
    manifest: 'monitoring.yaml',
    configMap: 'prometheus-config',
    key: 'prometheus.yml',
    source: 'deploy/k8s/prometheus/prometheus.yml',
  },
  {
    manifest: 'monitoring.yaml',
    configMap: 'prometheus-config',
    key: 'alerts.yml',
    source: 'monitoring/alerts.yml',
  },
  {
    manifest: 'monitoring.yaml',
    configMap: 'grafana-provisioning',
    key: 'datasources.yml',
    source: 'monitoring/grafana/provisioning/datasources/prometheus.yml',
  },
  {
    manifest: 'monitoring.yaml',
    configMap: 'grafana-provisioning',
    key: 'dashboards.yml',
    source: 'monitoring/grafana/provisioning/dashboards/platform.yml',
  },
  ...readdirSync(repoPath(DASHBOARDS))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      manifest: 'monitoring.yaml',
      configMap: 'grafana-dashboards',
      key: file,
      source: `${DASHBOARDS}/${file}`,
    })),
];

/** The manifest text with each embedded file set to its source's content. */
export function synced(manifest: string): string {
  const text = readFileSync(repoPath(K8S_DIR, manifest), 'utf8');
  const docs = parseAllDocuments(text);
  for (const entry of EMBEDDED.filter((e) => e.manifest === manifest)) {
    const doc = docs.find(
      (d) => d.get('kind') === 'ConfigMap' && d.getIn(['metadata', 'name']) === entry.configMap,
    );
    if (!doc) throw new Error(`${manifest}: no ConfigMap ${entry.configMap}`);
    const value = new Scalar(readFileSync(repoPath(entry.source), 'utf8'));
    value.type = Scalar.BLOCK_LITERAL;
    doc.setIn(['data', entry.key], value);
  }
  return docs.map((doc) => doc.toString({ lineWidth: 0 })).join('');
}

if (import.meta.main) {
  for (const manifest of new Set(EMBEDDED.map((e) => e.manifest))) {
    writeFileSync(repoPath(K8S_DIR, manifest), synced(manifest));
    console.log(`updated ${K8S_DIR}/${manifest}`);
  }
}
