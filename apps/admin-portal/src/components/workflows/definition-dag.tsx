import { Text } from '@mantine/core';
import type { DocumentStep } from '../../lib/flow-api/definitions.ts';
import { DEFAULT_LAYOUT, layoutDag } from '../../lib/workflows/dag-layout.ts';
import { DagEdges } from './dag-edges.tsx';

// A definition version's steps as a read-only picture: the run page's layout (lib/workflows/dag-layout.ts)
// without states, since nothing has run. Each box prints the step's name and type, so it reads without
// colour; the SVG is one image with a text alternative listing the steps.

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function DefinitionDag(props: { steps: Array<DocumentStep & { depends_on: string[] }> }) {
  if (props.steps.length === 0) return <Text size="sm">This version has no steps.</Text>;
  const layout = layoutDag(props.steps);
  const byId = new Map(props.steps.map((step) => [step.id, step]));
  const { nodeWidth: w, nodeHeight: h } = DEFAULT_LAYOUT;
  const summary = props.steps
    .map(
      (step) =>
        `${step.id} (${step.type})${step.depends_on.length ? ` after ${step.depends_on.join(', ')}` : ''}`,
    )
    .join('; ');
  return (
    <div style={{ overflowX: 'auto' }}>
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="img"
        aria-label={`Steps and their dependencies: ${summary}`}
        data-testid="definition-dag"
      >
        <DagEdges edges={layout.edges} markerId="definition-arrow" />
        {layout.nodes.map((node) => {
          const step = byId.get(node.id);
          return (
            <g
              key={node.id}
              transform={`translate(${node.x} ${node.y})`}
              data-testid={`definition-node-${node.id}`}
            >
              <rect width={w} height={h} rx={8} fill="#f1f3f5" stroke="#495057" strokeWidth={1.5} />
              <text x={10} y={22} fontSize={13} fontWeight={600} fill="#212529">
                {truncate(step?.name ?? node.id, 20)}
              </text>
              <text x={10} y={42} fontSize={11} fill="#495057">
                {truncate(`${step?.type ?? ''} · ${node.id}`, 24)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
