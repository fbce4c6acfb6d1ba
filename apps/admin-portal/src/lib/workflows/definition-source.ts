import type { DefinitionFault, DocumentStep } from '../flow-api/definitions.ts';

// The definition editor's pure parts: the text a new definition starts from, where a server-reported
// fault sits in the editor's text, and the steps of a stored document for the DAG preview.

/** flow-service's definition id pattern (definition.schema.ts). */
export const DEFINITION_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** A generous bound for the editor; flow-service's own body limit applies as well. */
export const MAX_SOURCE = 256 * 1024;

/** A small valid definition to start a new one from. */
export function newDefinitionSource(id: string): string {
  return `id: ${id}
name: ${id}
description: What this workflow does.
steps:
  - id: start
    type: noop
  - id: wait
    type: delay
    dependsOn: [start]
    input:
      duration: 5s
`;
}

/** A CodeMirror lint diagnostic (the subset the editor sets). */
export interface FaultMark {
  from: number;
  to: number;
  severity: 'error';
  message: string;
}

/**
 * Each fault as a range of `text`: from its column to the end of its line. A fault without a line (a JSON
 * body, or the document as a whole) marks the first line; positions past the text are clamped into it.
 */
export function faultMarks(text: string, faults: readonly DefinitionFault[]): FaultMark[] {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) if (text[i] === '\n') starts.push(i + 1);
  const lineEnd = (index: number) =>
    index + 1 < starts.length ? (starts[index + 1] as number) - 1 : text.length;
  return faults.map((fault) => {
    const index = Math.min(Math.max((fault.line ?? 1) - 1, 0), starts.length - 1);
    const start = starts[index] as number;
    const end = lineEnd(index);
    const from = Math.min(start + Math.max((fault.column ?? 1) - 1, 0), end);
    return {
      from,
      to: Math.max(end, from),
      severity: 'error',
      message: `${fault.path || '/'}: ${fault.message}`,
    };
  });
}

/** A fault for the list under the editor: "Line 7, column 24: unknown step…". */
export function describeFault(fault: DefinitionFault): string {
  const where = fault.line
    ? `Line ${fault.line}${fault.column ? `, column ${fault.column}` : ''}`
    : 'Document';
  return `${where}: ${fault.message}${fault.path ? ` (${fault.path})` : ''}`;
}

/** The steps of a stored document, each with its dependencies, as the DAG layout reads them. */
export function documentSteps(document: unknown): Array<DocumentStep & { depends_on: string[] }> {
  const steps = (document as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps
    .filter((step): step is DocumentStep => typeof (step as DocumentStep)?.id === 'string')
    .map((step) => ({
      ...step,
      depends_on: Array.isArray(step.dependsOn) ? step.dependsOn.filter((d) => typeof d === 'string') : [],
    }));
}
