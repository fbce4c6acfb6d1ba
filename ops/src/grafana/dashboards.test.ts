import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readYaml, repoPath } from '../support/repo.ts';
import { allowedLabels, loadCatalog, resolveSeries } from './catalog.ts';
import { allPanels, loadDashboards, queriesOf } from './dashboards.ts';
import { PromqlError, readQuery } from './promql.ts';

// Static checks of the Grafana provisioning and dashboards: every panel's PromQL parses with Prometheus'
// grammar and names only metrics and labels of monitoring/metric-names.json. The live check against the
// running services' /metrics is dashboards.system.test.ts.

const catalog = loadCatalog();
const dashboards = loadDashboards();

describe('Grafana provisioning', () => {
  it('provisions one default Prometheus datasource at the compose service, with the uid the panels use', () => {
    const { datasources } = readYaml<{ datasources: Array<Record<string, unknown>> }>(
      'monitoring/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
        isDefault: true,
      }),
    ]);
    for (const { file, dashboard } of dashboards) {
      for (const panel of allPanels(dashboard)) {
        if (panel.type === 'row') continue;
        expect(panel.datasource, `${file} ${panel.title}`).toEqual({ type: 'prometheus', uid: 'prometheus' });
        for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe('prometheus');
      }
    }
  });

  it('loads the dashboards from the folder docker-compose.yml mounts them at', () => {
    const { providers } = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>(
      'monitoring/grafana/provisioning/dashboards/platform.yml',
    );
    expect(providers).toHaveLength(1);
    expect(providers[0]!.type).toBe('file');
    const compose = readFileSync(repoPath('docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./monitoring/grafana/dashboards:${providers[0]!.options.path}:ro`);
  });
});

describe('dashboards', () => {
  it('covers gateway, auth, services (RED), kline and flow with unique uids and panel ids', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'platform-auth',
      'platform-flow',
      'platform-gateway',
      'platform-kline',
      'platform-services',
    ]);
    for (const { file, dashboard } of dashboards) {
      const ids = allPanels(dashboard).map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const panel of allPanels(dashboard)) {
        expect(panel.gridPos.x + panel.gridPos.w, `${file} ${panel.title}`).toBeLessThanOrEqual(24);
        if (panel.type !== 'row') expect(panel.targets?.length, `${file} ${panel.title}`).toBeGreaterThan(0);
      }
    }
  });

  it('every query parses as PromQL and names only catalogued metrics and their labels', () => {
    const problems: string[] = [];
    for (const { file, dashboard } of dashboards) {
      for (const { where, expr } of queriesOf(file, dashboard)) {
        const refs = readQuery(expr);
        for (const selector of refs.selectors) {
          const metric = resolveSeries(catalog, selector.metric);
          if (!metric) {
            problems.push(`${where}: ${selector.metric} is not in monitoring/metric-names.json`);
            continue;
          }
          for (const label of selector.labels) {
            if (!allowedLabels(metric).includes(label))
              problems.push(`${where}: ${selector.metric} has no label ${label}`);
          }
        }
        for (const grouping of refs.groupings) {
          const labels = grouping.metrics.flatMap((name) => {
            const metric = resolveSeries(catalog, name);
            return metric ? allowedLabels(metric) : [];
          });
          for (const label of grouping.labels) {
            if (!labels.includes(label))
              problems.push(`${where}: "by (${label})" but no selected metric has it`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the required panels exist: tokens by grant, logins by result, kline and flow metrics', () => {
    const exprs = dashboards.flatMap(({ file, dashboard }) => queriesOf(file, dashboard).map((q) => q.expr));
    const uses = (needle: string) => exprs.some((expr) => expr.includes(needle));
    expect(uses('sum by (grant_type) (rate(oauth_tokens_issued_total')).toBe(true);
    expect(uses('sum by (result) (rate(oauth_login_attempts_total')).toBe(true);
    expect(uses('pingora_upstream_health')).toBe(true);
    expect(uses('pingora_request_duration_seconds_bucket')).toBe(true);
    // Every agreed kline/flow name is on a panel, so a rename on merge shows up here.
    for (const group of catalog.filter((g) => g.status === 'agreed')) {
      for (const name of Object.keys(group.metrics)) expect(uses(name), name).toBe(true);
    }
  });

  it('the checks reject bad queries: syntax errors, unknown metrics, unknown labels', () => {
    expect(() => readQuery('sum(rate(http_requests_total[5m])')).toThrow(PromqlError);
    expect(() => readQuery('rate(http_requests_total[$__rate_interval])')).not.toThrow();
    const refs = readQuery('sum by (colour) (rate(http_requests_totl{flavour="x"}[5m]))');
    expect(refs.selectors).toEqual([{ metric: 'http_requests_totl', labels: ['flavour'] }]);
    expect(refs.groupings).toEqual([{ labels: ['colour'], metrics: ['http_requests_totl'] }]);
    expect(resolveSeries(catalog, 'http_requests_totl')).toBeUndefined();
    expect(resolveSeries(catalog, 'http_requests_total_bucket')).toBeUndefined();
    expect(resolveSeries(catalog, 'http_request_duration_seconds_bucket')?.name).toBe(
      'http_request_duration_seconds',
    );
    expect(readQuery('up{__name__="kline_ws_clients"}').selectors[0]!.metric).toBe('kline_ws_clients');
  });
});
