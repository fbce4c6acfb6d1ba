import { type Document, isMap, isNode, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { DefinitionError, type DefinitionIssue } from './definition-error.ts';

// Where a fault sits in the YAML text an author wrote: validation speaks in JSON Pointers into the parsed
// document, an editor marks lines. The parsed document keeps every node's offsets, so a pointer maps back to
// its line and column; a pointer to something absent (a missing property) maps to its nearest ancestor.

/** A definition read from YAML text, with what places its faults in that text. */
export interface YamlDefinition {
  document: unknown;
  /** The issues with `line` and `column` (1-based) where the text has the node they name. */
  locate(issues: DefinitionIssue[]): DefinitionIssue[];
}

/** `/steps/0/id` → `['steps', '0', 'id']` (RFC 6901 escapes undone). */
function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The node at `segments`, or the deepest ancestor the text has. Sequence indexes are numeric segments. */
function nearestNode(doc: Document, segments: string[]): Node | null {
  let node: unknown = doc.contents;
  for (const segment of segments) {
    const child = isNode(node) && 'get' in node ? childOf(node, segment) : undefined;
    if (!isNode(child)) break;
    node = child;
  }
  return isNode(node) ? node : null;
}

function childOf(node: Node, segment: string): unknown {
  const collection = node as Node & { get(key: unknown, keepScalar: true): unknown };
  if (isMap(node)) return collection.get(segment, true);
  return /^\d+$/.test(segment) ? collection.get(Number(segment), true) : undefined;
}

/** The key of a mapping's property, for faults about the property itself (it should not be there). */
function keyNode(node: Node | null, property: string): Node | null {
  if (!isMap(node)) return null;
  const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === property);
  return pair && isNode(pair.key) ? pair.key : null;
}

const UNKNOWN_PROPERTY = /^unknown property "(.+)"$/;

function locator(doc: Document, lines: LineCounter) {
  return (issue: DefinitionIssue): DefinitionIssue => {
    const node = nearestNode(doc, pointerSegments(issue.path));
    const property = UNKNOWN_PROPERTY.exec(issue.message)?.[1];
    const target = (property && keyNode(node, property)) || node;
    const offset = target?.range?.[0];
    if (offset === undefined) return issue;
    const { line, col } = lines.linePos(offset);
    return { ...issue, line, column: col };
  };
}

/** Syntax errors, each where the parser stopped; the message keeps the position for readers of `detail`. */
function syntaxIssues(doc: Document): DefinitionIssue[] {
  return doc.errors.slice(0, 10).map((error) => {
    const at = error.linePos?.[0];
    return {
      path: '',
      message: `not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${error.message.split('\n')[0]}`,
      ...(at ? { line: at.line, column: at.col } : {}),
    };
  });
}

/**
 * Parses YAML (or JSON, a subset) definition text. Throws DefinitionError for text that does not parse,
 * every syntax error placed at its line; an alias-heavy text (a resource exhaustion attempt) is refused.
 */
export function readYamlDefinition(text: string): YamlDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) throw new DefinitionError(syntaxIssues(doc));
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new DefinitionError([{ path: '', message: `not valid YAML: ${(error as Error).message}` }]);
  }
  const place = locator(doc, lines);
  return { document, locate: (issues) => issues.map(place) };
}
