import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

// Reads a PromQL expression with Prometheus' own grammar (@prometheus-io/lezer-promql, the parser of
// Prometheus' web UI) and lists what it selects: metric names, the labels matched per selector, and the
// labels each aggregation groups by.

export interface Selector {
  metric: string;
  labels: string[];
}
export interface Grouping {
  labels: string[];
  /** Metric names selected inside the aggregation. */
  metrics: string[];
}
export interface QueryRefs {
  selectors: Selector[];
  groupings: Grouping[];
}

// Grafana's built-in interval variables stand where PromQL expects a duration.
const GRAFANA_DURATIONS = /\$__(rate_interval|interval|range)\b/g;

export class PromqlError extends Error {}

export function readQuery(rawExpr: string): QueryRefs {
  const expr = rawExpr.replace(GRAFANA_DURATIONS, '5m');
  const tree = parser.parse(expr);
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  const errors: number[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) errors.push(ref.from);
    },
  });
  if (errors.length > 0) throw new PromqlError(`PromQL syntax error at offset ${errors[0]} in: ${rawExpr}`);

  const selectorOf = (node: SyntaxNode): Selector => {
    const labels: string[] = [];
    let metric = '';
    const identifier = node.getChild('Identifier');
    if (identifier) metric = text(identifier);
    const matchers = node.getChild('LabelMatchers');
    for (const matcher of matchers?.getChildren('UnquotedLabelMatcher') ?? []) {
      const name = text(matcher.getChild('LabelName')!);
      const value = matcher.getChild('StringLiteral');
      if (name === '__name__' && value) metric = JSON.parse(text(value));
      else labels.push(name);
    }
    if (!metric) throw new PromqlError(`a selector without a metric name in: ${rawExpr}`);
    return { metric, labels };
  };

  const selectors: Selector[] = [];
  const groupings: Grouping[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name === 'VectorSelector') selectors.push(selectorOf(ref.node));
      if (ref.name === 'AggregateExpr') {
        const modifier = ref.node.getChild('AggregateModifier');
        // `without (...)` removes labels; only `by (...)` names labels the result must have.
        if (!modifier?.getChild('By')) return;
        const labels = (modifier.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text);
        const metrics: string[] = [];
        const inner = ref.node.cursor();
        inner.iterate((n) => {
          if (n.name === 'VectorSelector') metrics.push(selectorOf(n.node).metric);
        });
        groupings.push({ labels, metrics });
      }
    },
  });
  return { selectors, groupings };
}
