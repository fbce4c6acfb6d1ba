import { readJson } from '../support/repo.ts';

// monitoring/metric-names.json: the one list of metric names the dashboards and alerts may use.

export interface MetricSpec {
  type: 'counter' | 'gauge' | 'histogram';
  labels: string[];
}
export interface MetricGroup {
  name: string;
  jobs: string[];
  source: string;
  status: 'live' | 'agreed' | 'synthetic';
  metrics: Record<string, MetricSpec>;
}

/** Labels every scraped series gets from Prometheus (job, instance) and from prometheus.yml (component). */
export const TARGET_LABELS = ['job', 'instance', 'component'];

export function loadCatalog(): MetricGroup[] {
  return readJson<{ groups: MetricGroup[] }>('monitoring/metric-names.json').groups;
}

export interface ResolvedMetric {
  /** The name as exposed on /metrics (a histogram's base name). */
  name: string;
  /** The series name the query uses (`x_bucket` for histogram x). */
  series: string;
  spec: MetricSpec;
  group: MetricGroup;
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** Finds a series name in the catalog: a metric itself, or the _bucket/_sum/_count series of a histogram. */
export function resolveSeries(catalog: MetricGroup[], series: string): ResolvedMetric | undefined {
  for (const group of catalog) {
    const own = group.metrics[series];
    if (own && own.type !== 'histogram') return { name: series, series, spec: own, group };
    for (const suffix of HISTOGRAM_SUFFIXES) {
      if (!series.endsWith(suffix)) continue;
      const base = series.slice(0, -suffix.length);
      const spec = group.metrics[base];
      if (spec?.type === 'histogram') return { name: base, series, spec, group };
    }
  }
  return undefined;
}

/** Labels a query may match on or group by for this series. */
export function allowedLabels(metric: ResolvedMetric): string[] {
  return [...metric.spec.labels, ...TARGET_LABELS, ...(metric.series.endsWith('_bucket') ? ['le'] : [])];
}
