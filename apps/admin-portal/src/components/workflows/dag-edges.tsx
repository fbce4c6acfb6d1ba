import type { PlacedEdge } from '../../lib/workflows/dag-layout.ts';

/** A DAG's dependency arrows, drawn under its boxes: one marker per SVG (`markerId` unique on the page). */
export function DagEdges({ edges, markerId }: { edges: readonly PlacedEdge[]; markerId: string }) {
  return (
    <>
      <defs>
        <marker
          id={markerId}
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#868e96" />
        </marker>
      </defs>
      {edges.map((edge) => (
        <path
          key={`${edge.from}->${edge.to}`}
          d={edge.path}
          fill="none"
          stroke="#adb5bd"
          strokeWidth={1.5}
          markerEnd={`url(#${markerId})`}
        />
      ))}
    </>
  );
}
