'use client';

import { Group, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { RunStep } from '../../lib/flow-api/types.ts';
import { DEFAULT_LAYOUT, layoutDag, type PlacedNode } from '../../lib/workflows/dag-layout.ts';
import { STATE_STYLES, stateStyle } from '../../lib/workflows/state-style.ts';
import { DagEdges } from './dag-edges.tsx';

// The run's DAG as SVG: one box per step, coloured by its state, arrows along dependencies. Boxes are
// buttons (click or Enter) that open the step's detail; each prints its id, type and state so the picture
// reads without colour too.

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function DagNode(props: {
  node: PlacedNode;
  step: RunStep;
  selected: boolean;
  onSelect(stepId: string): void;
}) {
  const { node, step, selected } = props;
  const style = stateStyle(step.state);
  const { nodeWidth: w, nodeHeight: h } = DEFAULT_LAYOUT;
  const heading = truncate(step.name ?? node.id, 20);
  const detail = `${step.type} · ${style.label}${step.attempt > 1 ? ` · try ${step.attempt}` : ''}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; role, tabIndex and Enter/Space make it one
    <g
      transform={`translate(${node.x} ${node.y})`}
      role="button"
      tabIndex={0}
      // The accessible name contains the visible words in order (WCAG 2.5.3, label in name): speech users
      // say what they see. The <title> (full name, error) becomes the description.
      aria-label={`Step ${heading} ${detail}`}
      aria-pressed={selected}
      data-testid={`dag-node-${node.id}`}
      data-state={step.state}
      style={{ cursor: 'pointer', outline: 'none' }}
      onClick={() => props.onSelect(node.id)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          props.onSelect(node.id);
        }
      }}
    >
      <title>{`${node.id} (${step.type}): ${style.label}${step.error ? ` — ${step.error}` : ''}`}</title>
      <rect
        width={w}
        height={h}
        rx={8}
        fill={style.fill}
        stroke={style.stroke}
        strokeWidth={selected ? 3 : 1.5}
        strokeDasharray={style.dashed ? '6 3' : undefined}
      />
      <text x={10} y={22} fontSize={13} fontWeight={600} fill="var(--mantine-color-text)">
        {heading}
      </text>
      {/* Not drawn (SVG renders text only inside <text>); it keeps the two lines apart as words. */}{' '}
      <text x={10} y={42} fontSize={11} fill={style.text}>
        {detail}
      </text>
    </g>
  );
}

/** What each colour (and dash) means. */
function StateLegend() {
  return (
    <Group gap="md" mt="xs" aria-label="State colours">
      {Object.entries(STATE_STYLES).map(([state, style]) => (
        <Group key={state} gap={4} wrap="nowrap">
          <span
            style={{
              display: 'inline-block',
              width: 12,
              height: 12,
              borderRadius: 3,
              background: style.fill,
              border: `2px ${style.dashed ? 'dashed' : 'solid'} ${style.stroke}`,
            }}
          />
          <Text size="xs">{style.label}</Text>
        </Group>
      ))}
    </Group>
  );
}

export function DagView(props: {
  steps: RunStep[];
  selected: string | null;
  onSelect(stepId: string): void;
}) {
  const layout = useMemo(() => layoutDag(props.steps), [props.steps]);
  const byId = new Map(props.steps.map((step) => [step.id, step]));
  return (
    <div>
      <div style={{ overflowX: 'auto' }}>
        <svg
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          aria-label="Run steps and their dependencies"
          data-testid="run-dag"
        >
          <DagEdges edges={layout.edges} markerId="dag-arrow" />
          {layout.nodes.map((node) => (
            <DagNode
              key={node.id}
              node={node}
              step={byId.get(node.id) as RunStep}
              selected={props.selected === node.id}
              onSelect={props.onSelect}
            />
          ))}
        </svg>
      </div>
      <StateLegend />
    </div>
  );
}
