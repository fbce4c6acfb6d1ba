import type { EgressPolicy } from '../egress/egress-policy.ts';
import { forbiddenHeaders } from '../egress/step-headers.ts';
import { scopeList } from '../http-step/authority-client.ts';
import type { DefinitionIssue } from './validate-definition.ts';

// Save-time checks of http steps, on a document the schema already accepted: what can be known before a run
// is checked here (a literal URL against the egress policy, a token only for a resource server, the scopes a
// step asks for); a templated URL is checked when the step runs, after templating.

interface RawHttpStep {
  id: string;
  type: string;
  input?: {
    url?: string;
    headers?: Record<string, string>;
    auth?: 'none' | { resource?: string; scope?: string };
  };
}

export interface ScopeRequest {
  /** Index of the step in `steps`. */
  index: number;
  stepId: string;
  scope: string;
}

const issue = (index: number, stepId: string, field: string, message: string): DefinitionIssue => ({
  path: `/steps/${index}/${field.replaceAll('.', '/')}`,
  message: `step "${stepId}": ${field}: ${message}`,
});

/** Egress problems of the document's http steps, and the scopes their tokens ask for. */
export function checkHttpSteps(
  document: unknown,
  policy: EgressPolicy,
): { issues: DefinitionIssue[]; scopes: ScopeRequest[] } {
  const steps = ((document as { steps?: RawHttpStep[] }).steps ?? []) as RawHttpStep[];
  const issues: DefinitionIssue[] = [];
  const scopes: ScopeRequest[] = [];
  steps.forEach((step, index) => {
    if (step.type !== 'http' || !step.input?.url) return;
    const { url, auth } = step.input;
    for (const name of forbiddenHeaders(step.input.headers))
      issues.push(issue(index, step.id, `input.headers.${name}`, 'this header may not be set by a step'));
    const wantsToken = auth !== 'none';
    if (wantsToken)
      for (const scope of scopeList(auth?.scope)) scopes.push({ index, stepId: step.id, scope });
    if (url.includes('{{')) return;
    const target = policy.check(url);
    if (!target.ok) {
      issues.push(issue(index, step.id, 'input.url', target.reason));
      return;
    }
    if (!wantsToken) return;
    if (!target.resource)
      issues.push(
        issue(
          index,
          step.id,
          'input.auth',
          `a token is only sent to the platform's resource servers, not to ${target.url.origin} (use auth: none)`,
        ),
      );
    else if (auth?.resource && auth.resource !== target.resource)
      issues.push(
        issue(
          index,
          step.id,
          'input.auth.resource',
          `the token's audience follows the target: ${target.resource}, not ${auth.resource}`,
        ),
      );
  });
  return { issues, scopes };
}

/** Issues for the scopes a step asks for that its author does not hold. */
export function scopeIssues(requests: ScopeRequest[], held: Set<string>): DefinitionIssue[] {
  return requests
    .filter((request) => !held.has(request.scope))
    .map((request) =>
      issue(
        request.index,
        request.stepId,
        'input.auth.scope',
        `you do not hold ${request.scope}; a step's token carries at most its author's scopes`,
      ),
    );
}
