import { readdirSync } from 'node:fs';
import { readJson, repoPath } from '../support/repo.ts';

// The provisioned dashboards (monitoring/grafana/dashboards/*.json) and every query in them.

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: { query: string } | string }> };
}

export const DASHBOARD_DIR = 'monitoring/grafana/dashboards';

export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(repoPath(DASHBOARD_DIR))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: readJson<Dashboard>(`${DASHBOARD_DIR}/${file}`) }));
}

/** Panels including those nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

export interface Query {
  where: string;
  expr: string;
}

/** Every PromQL expression of a dashboard: panel targets and `label_values(metric, label)` variables. */
export function queriesOf(file: string, dashboard: Dashboard): Query[] {
  const queries: Query[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      queries.push({ where: `${file} panel "${panel.title}" ${target.refId}`, expr: target.expr });
    }
  }
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const labelValues = /^label_values\((.+),\s*(\w+)\)$/.exec(query.trim());
    if (!labelValues) throw new Error(`${file} variable ${variable.name}: unsupported query ${query}`);
    queries.push({
      where: `${file} variable ${variable.name}`,
      expr: `sum by (${labelValues[2]}) (${labelValues[1]})`,
    });
  }
  return queries;
}
