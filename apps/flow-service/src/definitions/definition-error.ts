// A definition's faults, each named by a JSON Pointer into the document and, for YAML text, placed at its
// line and column (source-positions.ts).

export interface DefinitionIssue {
  /** JSON Pointer to the fault in the document, e.g. `/steps/2/dependsOn/0`. */
  path: string;
  message: string;
  /** 1-based line of the fault in the YAML text it was read from; absent for JSON bodies. */
  line?: number;
  /** 1-based column on that line. */
  column?: number;
}

export class DefinitionError extends Error {
  override name = 'DefinitionError';
  readonly issues: DefinitionIssue[];
  constructor(issues: DefinitionIssue[]) {
    super(issues.map((issue) => `${issue.path || '/'}: ${issue.message}`).join('; '));
    this.issues = issues;
  }
}
