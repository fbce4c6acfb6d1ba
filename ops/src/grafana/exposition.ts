// The Prometheus text format as the services serve it on /metrics: metric families with their type and
// the label names seen on their samples.

export interface Family {
  type: string;
  /** Names of every sample series of the family (`x_bucket`, `x_sum`, `x_count` for a histogram). */
  series: Set<string>;
  labels: Set<string>;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { type: 'untyped', series: new Set(), labels: new Set() };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      family(type[1]!).type = type[2]!;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const series = sample[1]!;
    const base = families.has(series) ? series : series.replace(/_(bucket|sum|count|total|created)$/, '');
    const f = families.get(base) ?? family(series);
    f.series.add(series);
    for (const match of (sample[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) f.labels.add(match[1]!);
  }
  return families;
}
