// Lays a run's DAG out left to right for the SVG drawing: each step in the column after its deepest
// dependency (longest path from the roots), steps in a column ordered by the average row of their
// dependencies (fewer crossings) and then by definition order, columns centred vertically. Pure and small:
// a workflow has tens of steps, not thousands, so no layout library is needed.

export interface DagInput {
  id: string;
  depends_on: readonly string[];
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  columnGap: number;
  rowGap: number;
  padding: number;
}

export interface PlacedNode {
  id: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** SVG path data: a horizontal S-curve from the right side of `from` to the left side of `to`. */
  path: string;
}

export interface DagLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  nodeWidth: 168,
  nodeHeight: 56,
  columnGap: 64,
  rowGap: 24,
  padding: 16,
};

/** Column of every step: 0 for roots, else 1 + the deepest dependency. Unknown dependencies are ignored. */
export function columns(steps: readonly DagInput[]): Map<string, number> {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    // flow-service refuses cycles; should one arrive anyway, it is cut here instead of recursing forever.
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const step = byId.get(id);
    let column = 0;
    for (const dependency of step?.depends_on ?? [])
      if (byId.has(dependency)) column = Math.max(column, visit(dependency) + 1);
    visiting.delete(id);
    depth.set(id, column);
    return column;
  };
  for (const step of steps) visit(step.id);
  return depth;
}

export function layoutDag(steps: readonly DagInput[], options: LayoutOptions = DEFAULT_LAYOUT): DagLayout {
  const column = columns(steps);
  const order = new Map(steps.map((step, index) => [step.id, index]));
  const columnCount = steps.length ? Math.max(...column.values()) + 1 : 0;
  const lanes: string[][] = Array.from({ length: columnCount }, () => []);
  for (const step of steps) lanes[column.get(step.id) as number]?.push(step.id);

  const row = new Map<string, number>();
  const byId = new Map(steps.map((step) => [step.id, step]));
  for (const lane of lanes) {
    const weight = (id: string) => {
      const rows = (byId.get(id)?.depends_on ?? [])
        .map((dependency) => row.get(dependency))
        .filter((value): value is number => value !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : (order.get(id) as number);
    };
    lane.sort((a, b) => weight(a) - weight(b) || (order.get(a) as number) - (order.get(b) as number));
    lane.forEach((id, index) => {
      row.set(id, index);
    });
  }

  const tallest = Math.max(0, ...lanes.map((lane) => lane.length));
  const laneHeight = (count: number) => count * options.nodeHeight + Math.max(0, count - 1) * options.rowGap;
  const nodes: PlacedNode[] = steps.map((step) => {
    const c = column.get(step.id) as number;
    const r = row.get(step.id) as number;
    const offset = (laneHeight(tallest) - laneHeight(lanes[c]?.length ?? 0)) / 2;
    return {
      id: step.id,
      column: c,
      row: r,
      x: options.padding + c * (options.nodeWidth + options.columnGap),
      y: options.padding + offset + r * (options.nodeHeight + options.rowGap),
    };
  });
  const placed = new Map(nodes.map((node) => [node.id, node]));
  const edges: PlacedEdge[] = [];
  for (const step of steps) {
    const to = placed.get(step.id) as PlacedNode;
    for (const dependency of step.depends_on) {
      const from = placed.get(dependency);
      if (!from) continue;
      const x1 = from.x + options.nodeWidth;
      const y1 = from.y + options.nodeHeight / 2;
      const x2 = to.x;
      const y2 = to.y + options.nodeHeight / 2;
      const bend = (x2 - x1) / 2;
      edges.push({
        from: dependency,
        to: step.id,
        path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
      });
    }
  }
  return {
    nodes,
    edges,
    width:
      columnCount === 0
        ? 0
        : 2 * options.padding + columnCount * options.nodeWidth + (columnCount - 1) * options.columnGap,
    height: tallest === 0 ? 0 : 2 * options.padding + laneHeight(tallest),
  };
}
