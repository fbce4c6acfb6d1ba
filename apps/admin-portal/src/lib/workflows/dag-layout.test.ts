import { describe, expect, it } from 'vitest';
import { columns, DEFAULT_LAYOUT, layoutDag } from './dag-layout.ts';

const step = (id: string, ...depends_on: string[]) => ({ id, depends_on });

describe('DAG layout', () => {
  it('puts each step one column after its deepest dependency', () => {
    const steps = [step('a'), step('b', 'a'), step('c', 'a'), step('d', 'b', 'c'), step('e', 'a', 'd')];
    expect(Object.fromEntries(columns(steps))).toEqual({ a: 0, b: 1, c: 1, d: 2, e: 3 });
  });

  it('places fan-out siblings in rows of one column and sizes the drawing to fit', () => {
    const layout = layoutDag([
      step('start'),
      step('left', 'start'),
      step('right', 'start'),
      step('join', 'left', 'right'),
    ]);
    const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]));
    expect(at.left?.x).toBe(at.right?.x);
    expect(at.left?.row).toBe(0);
    expect(at.right?.row).toBe(1);
    expect(at.right!.y - at.left!.y).toBe(DEFAULT_LAYOUT.nodeHeight + DEFAULT_LAYOUT.rowGap);
    // A single-node column is centred against the tallest one.
    expect(at.start!.y + DEFAULT_LAYOUT.nodeHeight / 2).toBe(
      (at.left!.y + at.right!.y + DEFAULT_LAYOUT.nodeHeight) / 2,
    );
    const { nodeWidth, columnGap, padding } = DEFAULT_LAYOUT;
    expect(layout.width).toBe(2 * padding + 3 * nodeWidth + 2 * columnGap);
    for (const node of layout.nodes) {
      expect(node.x + nodeWidth).toBeLessThanOrEqual(layout.width);
      expect(node.y + DEFAULT_LAYOUT.nodeHeight).toBeLessThanOrEqual(layout.height);
    }
  });

  it('draws one edge per dependency, from the right of the dependency to the left of the step', () => {
    const layout = layoutDag([step('a'), step('b', 'a'), step('c', 'a', 'b')]);
    expect(layout.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['a->b', 'a->c', 'b->c']);
    const a = layout.nodes.find((n) => n.id === 'a')!;
    const b = layout.nodes.find((n) => n.id === 'b')!;
    const path = layout.edges[0]!.path;
    expect(path.startsWith(`M ${a.x + DEFAULT_LAYOUT.nodeWidth} `)).toBe(true);
    expect(path.endsWith(`${b.x} ${b.y + DEFAULT_LAYOUT.nodeHeight / 2}`)).toBe(true);
  });

  it('orders a column by its dependencies rows to avoid crossings', () => {
    // x depends on the second root, y on the first: y goes above x although x comes first.
    const layout = layoutDag([step('r1'), step('r2'), step('x', 'r2'), step('y', 'r1')]);
    const row = Object.fromEntries(layout.nodes.map((n) => [n.id, n.row]));
    expect(row).toMatchObject({ r1: 0, r2: 1, y: 0, x: 1 });
  });

  it('survives unknown dependencies, cycles and an empty definition', () => {
    expect(Object.fromEntries(columns([step('a', 'ghost')]))).toEqual({ a: 0 });
    const cyclic = columns([step('a', 'b'), step('b', 'a')]);
    expect(cyclic.size).toBe(2);
    expect(layoutDag([])).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
    expect(layoutDag([step('a', 'ghost')]).edges).toEqual([]);
  });
});
